/**
 * A first `cdk deploy` that works (issue 17, first part): the region is the
 * app's own, nothing account-wide is owned unless asked, named resources survive
 * a rolled-back create without blocking the next deploy, and SES tells the
 * engineer what to publish.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { synth } from './support/synth';

describe('a first deploy', () => {
  it('deploys to the region in cdk.json (Jakarta), whatever the CLI profile says', () => {
    const before = process.env.CDK_DEFAULT_REGION;
    process.env.CDK_DEFAULT_REGION = 'us-east-1';
    try {
      expect(synth().stack.region).toBe('ap-southeast-3');
      // Another region only where the data map allows it.
      const map = JSON.parse(readFileSync('config/impor-in.data-map.json', 'utf8'));
      const allowing = path.join(mkdtempSync(path.join(tmpdir(), 'dsr-map-')), 'map.json');
      writeFileSync(allowing, JSON.stringify({ ...map, regions: ['ap-southeast-3', 'ap-southeast-1'] }));
      expect(synth({ region: 'ap-southeast-1', dataMap: allowing }).stack.region).toBe('ap-southeast-1');
    } finally {
      if (before === undefined) delete process.env.CDK_DEFAULT_REGION;
      else process.env.CDK_DEFAULT_REGION = before;
    }
  });

  it('refuses to synthesize where the data map does not allow the personal data to live', () => {
    expect(() => synth({ region: 'us-east-1' })).toThrow(
      /allows the personal data to live only in ap-southeast-3; region us-east-1 is refused/,
    );
  });

  it('leaves the account-wide API Gateway logging role alone unless asked, and then keeps it', () => {
    const plain = synth().template;
    expect(Object.keys(plain.findResources('AWS::ApiGateway::Account'))).toEqual([]);
    const managed = synth({ manageApiGatewayAccount: true }).template.toJSON().Resources as Record<
      string,
      { Type: string; DeletionPolicy?: string }
    >;
    const account = Object.values(managed).filter((r) => r.Type === 'AWS::ApiGateway::Account');
    expect(account).toHaveLength(1);
    expect(account[0]?.DeletionPolicy).toBe('Retain');
  });

  it('names the workflow log group under /aws/vendedlogs/ and lets a rolled-back create remove the processor secrets', () => {
    const template = synth().template;
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')).map(
      (g) => (g.Properties as { LogGroupName?: string }).LogGroupName,
    );
    expect(groups).toContainEqual('/aws/vendedlogs/states/DsrWorkflowStack-Dsr');
    // Only the named ones: a generated name never meets a leftover.
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')).filter(
      (s) => (s.Properties as { Name?: string }).Name,
    );
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(secret.DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  it('outputs the three DKIM records of a new sending domain and keeps the identity; an existing one is used by name', () => {
    const created = synth({ sesIdentity: 'impor.in.example' }).template;
    const identities = Object.values(created.findResources('AWS::SES::EmailIdentity'));
    expect(identities).toHaveLength(1);
    expect(identities[0]?.DeletionPolicy).toBe('RetainExceptOnCreate');
    const outputs = Object.keys(created.toJSON().Outputs as Record<string, unknown>);
    expect(outputs.filter((o) => o.startsWith('SesDkimRecord')).sort()).toEqual([
      'SesDkimRecord1',
      'SesDkimRecord2',
      'SesDkimRecord3',
    ]);
    const existing = synth({ sesIdentity: 'impor.in.example', sesIdentityExists: true }).template;
    expect(Object.keys(existing.findResources('AWS::SES::EmailIdentity'))).toEqual([]);
  });

  it('creates an SES contact list only when asked, and only with a name', () => {
    const named = synth({ sesContactList: 'impor-in-marketing' }).template;
    expect(Object.keys(named.findResources('AWS::SES::ContactList'))).toEqual([]);
    expect(() => synth({ createSesContactList: 'true' })).toThrow(
      /createSesContactList=true needs sesContactList/,
    );
  });

  it('does not make every cold start parse the source maps', () => {
    const functions = Object.values(synth().template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions)
      expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain('enable-source-maps');
  });

  it("gives the status page's GET more room than the writes, as a page polling every few seconds needs", () => {
    const [stage] = Object.values(synth().template.findResources('AWS::ApiGateway::Stage'));
    const settings = (stage?.Properties as { MethodSettings?: Record<string, unknown>[] } | undefined)
      ?.MethodSettings;
    expect(settings).toContainEqual(
      expect.objectContaining({
        ResourcePath: '/~1requests~1{requestId}',
        HttpMethod: 'GET',
        ThrottlingRateLimit: 100,
        ThrottlingBurstLimit: 200,
      }),
    );
    expect(settings).toContainEqual(expect.objectContaining({ HttpMethod: '*', ThrottlingRateLimit: 20 }));
  });
});
