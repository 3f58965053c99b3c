import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadProcessorSecret, resetProcessorSecrets } from '../../functions/aws/processor-secrets';
import { processorOf } from '../../functions/core/data-map';
import { ProcessorSecretError } from '../../functions/core/processors/errors';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';

const dataMap = loadDemoDataMap();
const logistics = processorOf(dataMap, 'logistics');
const payments = processorOf(dataMap, 'payments');
const LOGISTICS_HEX = 'ab'.repeat(32);
const PAYMENTS_HEX = 'cd'.repeat(32);
const smMock = mockClient(SecretsManagerClient);
const sm = new SecretsManagerClient({ region: 'ap-southeast-3' });
const client = () => sm;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'partner-secrets-'));
  resetProcessorSecrets();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  smMock.reset();
});

describe('partner secrets on the local runtime (a directory of key files)', () => {
  it("reads each partner's own <partnerId>.key file", async () => {
    // Prepare
    writeFileSync(join(dir, 'logistics.key'), `${LOGISTICS_HEX}\n`);
    writeFileSync(join(dir, 'payments.key'), PAYMENTS_HEX);

    // Act
    const [a, b] = await Promise.all([
      loadProcessorSecret(logistics, { dir }, client),
      loadProcessorSecret(payments, { dir }, client),
    ]);

    // Assess
    expect(a.equals(Buffer.from(LOGISTICS_HEX, 'hex'))).toBe(true);
    expect(b.equals(Buffer.from(PAYMENTS_HEX, 'hex'))).toBe(true);
    expect(smMock.calls()).toHaveLength(0);
  });

  it('keeps a loaded secret for the life of the container, even if the file changes', async () => {
    // Prepare
    writeFileSync(join(dir, 'logistics.key'), LOGISTICS_HEX);
    const first = await loadProcessorSecret(logistics, { dir }, client);
    writeFileSync(join(dir, 'logistics.key'), PAYMENTS_HEX);

    // Act
    const second = await loadProcessorSecret(logistics, { dir }, client);

    // Assess
    expect(second.equals(first)).toBe(true);
  });

  it('tries again after a failed load instead of remembering the failure', async () => {
    // Prepare
    await expect(loadProcessorSecret(logistics, { dir }, client)).rejects.toThrow(
      'no readable secret file for partner logistics',
    );
    writeFileSync(join(dir, 'logistics.key'), LOGISTICS_HEX);

    // Act
    const secret = await loadProcessorSecret(logistics, { dir }, client);

    // Assess
    expect(secret).toHaveLength(32);
  });

  it('refuses a secret shorter than 32 bytes without repeating it', async () => {
    // Prepare
    writeFileSync(join(dir, 'logistics.key'), 'short-shared-secret');

    // Act
    const error = await loadProcessorSecret(logistics, { dir }, client).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ProcessorSecretError);
    expect((error as Error).message).toBe('the secret of partner logistics must be at least 32 bytes');
    expect((error as Error).message).not.toContain('short-shared-secret');
  });
});

describe('partner secrets in AWS (Secrets Manager)', () => {
  it("reads the secret named by the partner's secretName, once per partner", async () => {
    // Prepare
    smMock
      .on(GetSecretValueCommand, { SecretId: 'dsr/partners/logistics' })
      .resolves({ SecretString: LOGISTICS_HEX })
      .on(GetSecretValueCommand, { SecretId: 'dsr/partners/payments' })
      .resolves({ SecretString: PAYMENTS_HEX });

    // Act
    const a = await loadProcessorSecret(logistics, {}, client);
    await loadProcessorSecret(logistics, {}, client);
    const b = await loadProcessorSecret(payments, {}, client);

    // Assess
    expect(a.equals(Buffer.from(LOGISTICS_HEX, 'hex'))).toBe(true);
    expect(b.equals(Buffer.from(PAYMENTS_HEX, 'hex'))).toBe(true);
    expect(smMock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([
      'dsr/partners/logistics',
      'dsr/partners/payments',
    ]);
  });

  it('does not cache a throttled read: the next call asks Secrets Manager again', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    smMock.on(GetSecretValueCommand).rejectsOnce(throttled).resolves({ SecretString: LOGISTICS_HEX });

    // Act
    const failed = await loadProcessorSecret(logistics, {}, client).catch((e: unknown) => e);
    const secret = await loadProcessorSecret(logistics, {}, client);

    // Assess
    expect((failed as Error).name).toBe('TransientError');
    expect(secret).toHaveLength(32);
    expect(smMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a short secret from Secrets Manager with a message naming only the partner', async () => {
    // Prepare
    smMock.on(GetSecretValueCommand).resolves({ SecretString: 'tiny' });

    // Act / Assess
    await expect(loadProcessorSecret(payments, {}, client)).rejects.toThrow(
      /^the secret of partner payments must be at least 32 bytes$/,
    );
  });

  it('refuses a secret with no value', async () => {
    smMock.on(GetSecretValueCommand).resolves({});
    await expect(loadProcessorSecret(payments, {}, client)).rejects.toThrow(
      'the secret of partner payments has no value',
    );
  });
});
