/**
 * `npm run smoke` (infra/local/smoke.ts) against the local system: the same steps as after a deploy —
 * form, health, an access request verified with the emailed code, completion, the export downloaded —
 * with the code and link read from the local mailbox instead of typed at the prompt.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { emulatorMailbox, removeExportPackage, runSmoke, SmokeFailure } from '../../infra/local/smoke';
import type { LocalSystem } from '../../infra/local/system';
import { EXPORT_BUCKET_NAME, startLocalSystem } from '../../infra/local/system';

jest.setTimeout(120_000);

let system: LocalSystem;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-smoke-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 3 });
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the smoke test', () => {
  it('passes on a working system and reports each store, the time taken and an export that matches the status page', async () => {
    // Prepare: a test address with records, so the export has something to match.
    const { plantSubject } = await import('../../infra/local/demo-data');
    const planted = await plantSubject(system.clients, system.dataMap, {
      email: 'smoke.test@example.com',
      records: 2,
    });
    const lines: string[] = [];

    // Act
    const summary = await runSmoke({
      api: system.urls.api,
      email: 'smoke.test@example.com',
      mailbox: emulatorMailbox(system.urls.ses),
      pollMs: 200,
      log: (line) => lines.push(line),
      removeExport: (requestId) => removeExportPackage(system.clients.s3, EXPORT_BUCKET_NAME, requestId),
    });

    // Assess
    expect(summary.status).toBe('completed');
    expect(summary.stores).toMatchObject(planted);
    expect(summary.export.manifestMatches).toBe(true);
    expect(summary.export.files).toBeGreaterThan(3);
    expect(lines.join('\n')).toContain(summary.requestId);
    // It leaves no export behind: every object under the request's prefix is gone.
    const left = await system.clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: EXPORT_BUCKET_NAME, Prefix: `exports/${summary.requestId}/` }),
    );
    expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]).toEqual([]);
    expect(lines.join('\n')).toMatch(/export package removed \([1-9][0-9]* objects\)/);
    // Nothing secret on the progress lines.
    expect(lines.join('\n')).not.toMatch(/token=|\b\d{6}\b(?!-)/);
  });

  it('fails naming the step when the system does not behave (here: a wrong code)', async () => {
    const real = emulatorMailbox(system.urls.ses);
    const mailbox = {
      ...real,
      code: async (email: string, requestId: string) => {
        await real.code(email, requestId);
        return '000000';
      },
    };
    const run = runSmoke({ api: system.urls.api, email: 'smoke.wrong@example.com', mailbox, pollMs: 200 });
    await expect(run).rejects.toThrow(SmokeFailure);
    await expect(run).rejects.toThrow(/verifying with the emailed code: expected HTTP 200, got 403/);
  });
});
