import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../functions/aws/config';

const baseEnv = {
  DSR_LEDGER_TABLE: 'dsr-ledger',
  DSR_EXPORT_BUCKET: 'dsr-exports',
  DSR_STATE_MACHINE_ARN: 'arn:aws:states:ap-southeast-3:000000000000:stateMachine:dsr',
  DSR_MAIL_FROM: 'privacy@example.com',
  DSR_PUBLIC_URL: 'https://dsr.example.com',
  DSR_DATA_MAP: readFileSync(path.join(__dirname, '../../config/impor-in.data-map.json'), 'utf8'),
};
const simulatorBinding = JSON.stringify({ logistics: 'http://127.0.0.1:3100/partners/logistics/dsr' });

describe('partner settings in the configuration', () => {
  it('defaults to https-only partners, a 10 s call timeout and no support address', () => {
    const config = loadConfig({ ...baseEnv });

    expect(config.allowInsecureProcessorUrls).toBe(false);
    expect(config.processorTimeoutMs).toBe(10_000);
    expect(config.supportEmail).toBeUndefined();
    expect(config.processorSecretsDir).toBeUndefined();
  });

  it('refuses at cold start a processor bound to a plain-http endpoint, naming it', () => {
    expect(() => loadConfig({ ...baseEnv, DSR_STORE_BINDINGS: simulatorBinding })).toThrow(
      /processor logistics has a non-https endpoint/,
    );
  });

  it('accepts plain-http partner simulators when the local runtime allows them', () => {
    const config = loadConfig({
      ...baseEnv,
      DSR_STORE_BINDINGS: simulatorBinding,
      DSR_ALLOW_INSECURE_PROCESSOR_URLS: 'true',
      DSR_PROCESSOR_SECRETS_DIR: '/tmp/partner-secrets',
      DSR_SUPPORT_EMAIL: 'support@example.com',
      DSR_PROCESSOR_TIMEOUT_MS: '2500',
    });

    const logistics = config.dataMap.stores.find((s) => s.id === 'logistics');
    expect(logistics).toMatchObject({ endpoint: 'http://127.0.0.1:3100/partners/logistics/dsr' });
    expect(config.supportEmail).toBe('support@example.com');
    expect(config.processorTimeoutMs).toBe(2500);
  });

  it('refuses a support address that is not an email address', () => {
    expect(() => loadConfig({ ...baseEnv, DSR_SUPPORT_EMAIL: 'support' })).toThrow(/DSR_SUPPORT_EMAIL/);
  });
});
