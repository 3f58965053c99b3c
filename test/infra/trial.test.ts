/**
 * `-c trial=true` (issue 17): a deployment that shows the product and can be cleaned up — the demo
 * stores, no processor to escalate, certificates locked for a day in GOVERNANCE mode, and the outputs
 * `npm run seed -- --target aws` reads.
 */
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEMO_BUCKET_STORES, DEMO_TABLES } from '../../infra/definitions/tables';
import { synth } from './support/synth';

const trial = synth({ trial: 'true' });
const resources = trial.template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }
>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const auditLock = (template: typeof trial.template) =>
  Object.entries(template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>)
    .filter(([id]) => id.startsWith('AuditBucket'))
    .map(([, r]) => r.Properties.ObjectLockConfiguration)
    .find(Boolean);

describe('a trial deployment', () => {
  it('deploys the demo stores and outputs their names for seeding, with the region', () => {
    const outputs = trial.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['DemoStoreBindings', 'Region', 'ApiUrl']));
    const bindings = JSON.stringify(outputs.DemoStoreBindings?.Value);
    for (const store of [...Object.keys(DEMO_TABLES), ...DEMO_BUCKET_STORES])
      expect(bindings).toContain(`"${store}\\":`);
    expect(outputs.Region?.Value).toBe('ap-southeast-3');
  });

  it('tells no processor anything: its data map has none, so no partner secret is created', () => {
    expect(trial.stack.dataMap.stores.length).toBeGreaterThan(3);
    expect(trial.stack.dataMap.stores.filter((s) => s.kind === 'processor')).toEqual([]);
    const named = ofType('AWS::SecretsManager::Secret').filter(([, s]) => s.Properties.Name);
    expect(named).toEqual([]);
  });

  it('locks certificates for one day in GOVERNANCE mode, where a real deployment locks them ten years in COMPLIANCE', () => {
    expect(auditLock(trial.template)).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
    });
    expect(auditLock(synth().template)).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 3653 } },
    });
  });

  it('has no unacknowledged AwsSolutions or Serverless findings', () => {
    const findings = [new AwsSolutionsChecks(trial.app), new ServerlessChecks(trial.app)].flatMap((pack) =>
      pack.validateScope(trial.app).violations.map((v) => v.ruleName),
    );
    expect(findings).toEqual([]);
  });
});
