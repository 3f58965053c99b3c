/**
 * The runner's journal with stubbed tasks: a stopped runtime's execution goes
 * on in a new runner on the same directory (same token, nothing run twice),
 * and RedriveExecution, through the real SDK client, continues a failed one
 * from the step that failed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeExecutionCommand, RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startSfnEndpoint } from '../../infra/local/sfn-endpoint';
import { WorkflowRunner } from '../../infra/local/workflow-runner';
import { eventually, stubHandlers } from '../support/stub-handlers';

const accessId = '20260101-access-JOURNALAAA';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dsr-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the execution journal', () => {
  it('resumes a waiting execution in a new runner: the same token still works and no finished task runs again', async () => {
    // Prepare: an access request waits for its code when the runtime stops
    const first = stubHandlers();
    const before = new WorkflowRunner({ handlers: first.handlers, retryIntervalMs: 0, journalDir: dir });
    before.start(accessId, JSON.stringify({ requestId: accessId, type: 'access' }));
    const token = await eventually(() => before.waitingTokens(accessId)[0]);
    await before.stop();

    // Act: a new runner on the same journals
    const second = stubHandlers();
    const after = new WorkflowRunner({ handlers: second.handlers, retryIntervalMs: 0, journalDir: dir });
    expect(after.resume()).toEqual({ resumed: [accessId], ended: 0 });
    await eventually(() => after.waitingTokens(accessId)[0]);
    after.sendTaskSuccess(token, '{}');
    const execution = await after.waitFor(accessId);

    // Assess: completed; validation and the verification email ran only before the stop
    expect(execution.status).toBe('SUCCEEDED');
    expect(first.callsOf('ValidateRequest')).toHaveLength(1);
    expect(first.callsOf('RequestVerification')).toHaveLength(1);
    expect(second.callsOf('ValidateRequest')).toEqual([]);
    expect(second.callsOf('RequestVerification')).toEqual([]);
    expect(second.callsOf('PackageExport')).toHaveLength(1);
    await after.stop();

    // A third start lists it as ended and runs nothing.
    const third = stubHandlers();
    const later = new WorkflowRunner({ handlers: third.handlers, journalDir: dir });
    expect(later.resume()).toEqual({ resumed: [], ended: 1 });
    expect(later.describe(accessId).status).toBe('SUCCEEDED');
    expect(third.calls).toEqual([]);
    // The journal holds no task payloads' personal data beyond what the tasks returned: here, ids and counts.
    expect(await readFile(path.join(dir, `${accessId}.jsonl`), 'utf8')).toContain('"kind":"ended"');
  });

  it('redrives a failed execution through the SDK: the failed step runs again, the ones that succeeded do not', async () => {
    // Prepare: the ledger is down, so the last task cannot record the completion, nor MarkFailed the failure
    let ledgerDown = true;
    const down = () => Object.assign(new Error('ledger unavailable'), { name: 'LedgerUnavailable' });
    const stubs = stubHandlers({
      SendExportLink: async (p) => {
        if (ledgerDown) throw down();
        return p;
      },
      RecordOutcome: async (p) => {
        if (ledgerDown) throw down();
        return p;
      },
    });
    const runner = new WorkflowRunner({ handlers: stubs.handlers, retryIntervalMs: 0, journalDir: dir });
    const endpoint = await startSfnEndpoint(runner);
    const sfn = new SFNClient({
      endpoint: endpoint.url,
      region: 'ap-southeast-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const { executionArn } = runner.start(
        accessId,
        JSON.stringify({ requestId: accessId, type: 'access' }),
      );
      runner.sendTaskSuccess(await eventually(() => runner.waitingTokens(accessId)[0]), '{}');
      expect((await runner.waitFor(accessId)).status).toBe('FAILED');
      const packagedBefore = stubs.callsOf('PackageExport').length;

      // Act: the ledger is back; support redrives
      ledgerDown = false;
      await sfn.send(new RedriveExecutionCommand({ executionArn }));
      await runner.waitFor(accessId);

      // Assess
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(described.status).toBe('SUCCEEDED');
      expect(described.redriveCount).toBe(1);
      expect(stubs.callsOf('PackageExport')).toHaveLength(packagedBefore);
      // SendExportLink failed once, then ran again and completed the request; nothing recorded a failure.
      expect(stubs.callsOf('SendExportLink')).toHaveLength(2);
      // A succeeded execution cannot be redriven.
      await expect(sfn.send(new RedriveExecutionCommand({ executionArn }))).rejects.toMatchObject({
        name: 'ExecutionNotRedrivable',
      });
    } finally {
      sfn.destroy();
      await runner.stop();
      await endpoint.stop();
    }
  });
});
