import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { DATA_MAP_DEFINE, loadConfig } from '../../functions/aws/config';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';

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

describe('the data map a function reads', () => {
  it('is validated when it comes from the environment (the local runtime), naming the store at fault', () => {
    const map = JSON.parse(baseEnv.DSR_DATA_MAP);
    map.stores[0].id = 'Orders!';

    expect(() => loadConfig({ ...baseEnv, DSR_DATA_MAP: JSON.stringify(map) })).toThrow(
      /DSR_DATA_MAP is invalid:\n {2}stores\.0\.id: must be lower-case letters/,
    );
    expect(() => loadConfig({ ...baseEnv, DSR_DATA_MAP: undefined })).toThrow(/DSR_DATA_MAP/);
  });

  it('in a bundle is the map synth validated and inlined, read without its schemas', () => {
    // Prepare: bundle the configuration as DsrFunction does (the data map `define`d).
    const dir = mkdtempSync(path.join(tmpdir(), 'dsr-config-bundle-'));
    try {
      const dataMap = loadDemoDataMap();
      const outfile = path.join(dir, 'index.js');
      buildSync({
        stdin: {
          contents: "export { loadConfig } from './functions/aws/config';",
          resolveDir: path.join(__dirname, '../..'),
        },
        bundle: true,
        platform: 'node',
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        outfile,
        logLevel: 'silent',
        define: { [DATA_MAP_DEFINE]: JSON.stringify(JSON.stringify(dataMap)) },
      });
      const { DSR_DATA_MAP: _none, ...envWithoutMap } = baseEnv;

      // Act: load it in a fresh node, as a cold start does, with no data map in the environment.
      const stores = execFileSync(
        process.execPath,
        [
          '-e',
          `const { loadConfig } = require(${JSON.stringify(outfile)}); process.stdout.write(JSON.stringify(loadConfig().dataMap.stores.map((s) => s.id)))`,
        ],
        { env: { PATH: process.env.PATH ?? '', ...envWithoutMap } },
      ).toString();

      // Assess: the inlined map, and none of the schema's messages in the bundle.
      expect(JSON.parse(stores)).toEqual(dataMap.stores.map((s) => s.id));
      expect(readFileSync(outfile, 'utf8')).not.toContain('must be lower-case letters, digits and dashes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
