import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEPLOYMENT } from '../../functions/deployment';
import { accessGranted, functionOf, grantsOf } from './support/policies';
import { synth } from './support/synth';

const { app, template } = synth();
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }
>;
const grants = grantsOf(template);
const registry = DEPLOYMENT as Record<string, { access: readonly string[] }>;
const declaring = (access: string) =>
  Object.keys(registry)
    .filter((name) => registry[name]?.access.includes(access))
    .sort();
const auditTableId = Object.keys(resources).find((id) => /^AuditTrailTable[0-9A-F]{8}$/.test(id));
const onAuditTable = grants.filter((g) => g.resource.includes('AuditTrailTable'));

describe('the audit trail in the deployed stack', () => {
  it('keeps the audit table encrypted, recoverable, protected from deletion, retained, and without TTL', () => {
    const table = resources[auditTableId as string];
    expect(table?.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'requestId', KeyType: 'HASH' },
        { AttributeName: 'sequence', KeyType: 'RANGE' },
      ],
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        expect.objectContaining({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
    // No TTL: entries outlive the request by at least the 24 months the law asks for.
    expect(table?.Properties).not.toHaveProperty('TimeToLiveSpecification');
  });

  it('lets no function update or delete an audit entry; only audit:append functions put them', () => {
    const actions = new Set(onAuditTable.map((g) => g.action));
    expect(actions).not.toContain('dynamodb:UpdateItem');
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions).not.toContain('dynamodb:BatchWriteItem');
    const putters = [
      ...new Set(onAuditTable.filter((g) => g.action === 'dynamodb:PutItem').map(functionOf)),
    ].sort();
    expect(putters).toEqual(declaring('audit:append'));
  });

  it('gives the heads job the audit bucket only under audit-heads/, and the functions their declared audit access', () => {
    const job = grants.filter(
      (g) => functionOf(g) === 'AuditChainHeads' && g.resource.includes('AuditBucket'),
    );
    expect(job.length).toBeGreaterThan(0);
    for (const g of job) {
      expect(g.action === 's3:ListBucket' ? JSON.stringify(g.condition) : g.resource).toContain(
        'audit-heads/',
      );
    }
    expect(accessGranted(grants, 'AuditChainHeads')).toEqual(['audit:heads']);
    for (const name of declaring('audit:append'))
      expect(accessGranted(grants, name)).toContain('audit:append');
  });

  it('has no unacknowledged AwsSolutions or Serverless findings', () => {
    const findings = [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
      pack.validateScope(app).violations.map((v) => v.ruleName),
    );
    expect(findings).toEqual([]);
  });
});
