import fs from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEPLOYMENT, HTTP_FUNCTIONS } from '../../functions/deployment';
import { pascal } from '../../infra/constructs/demo-stores';
import { DEMO_BUCKET_STORES, DEMO_TABLES } from '../../infra/definitions/tables';
import { taskNameOf, WORKFLOW_DEFINITION_FILE } from '../../workflows/definition';
import { functionOf, grantsOf, grantsOfFunction } from './support/policies';
import { synth } from './support/synth';

// Demo stores make every store a resource of the template, so grants on them can be told apart.
// Context values unlike the defaults show they travel from context to the resources.
const { app, template } = synth({
  demoStores: 'true',
  auditRetentionDays: '2000',
  deleteGraceSeconds: '600',
});
const grants = grantsOf(template);
const registry: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(DEPLOYMENT).map(([n, e]) => [n, e.access]),
);
const declaring = (access: string) =>
  Object.entries(registry)
    .filter(([, declared]) => declared.includes(access))
    .map(([name]) => name)
    .sort();
const onStore = (resource: string) => resource.includes('DemoStores');
const tableArn = (storeId: string) =>
  new RegExp(`^\\{"Fn::GetAtt":\\["DemoStores${pascal(storeId)}Table[0-9A-F]{8}","Arn"\\]\\}$`);
const bucketObjects = (storeId: string) =>
  new RegExp(`"DemoStores${pascal(storeId)}Bucket[0-9A-F]{8}"\\},"/${storeId}/\\*"`);
/** Actions that change or remove what a store holds. */
const ERASING =
  /^(dynamodb:(DeleteItem|UpdateItem|BatchWriteItem|PutItem)|s3:(PutObject|DeleteObject|DeleteObjectVersion))$/;
const environmentOf = (name: string): Record<string, unknown> => {
  const fns = template.findResources('AWS::Lambda::Function') as Record<
    string,
    { Properties: { Environment: { Variables: Record<string, unknown> } } }
  >;
  const entry = Object.entries(fns).find(([id]) =>
    new RegExp(`^Functions${name}Function[0-9A-F]{8}$`).test(id),
  );
  if (!entry) throw new Error(`no function ${name}`);
  return entry[1].Properties.Environment.Variables;
};

describe('erasure in the deployed stack', () => {
  it('locks every certificate of erasure in compliance mode for the configured retention', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2000 } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
              },
            }),
          ],
        },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'audit-bucket/' },
      }),
    });
  });

  it('waits the configured grace period before erasing', () => {
    expect(environmentOf('ScheduleErasure').DSR_DELETE_GRACE_SECONDS).toBe('600');
  });

  it('tells only the certificate writer, and the certificate reader, where the audit bucket is', () => {
    const told = Object.keys(registry)
      .filter((name) => environmentOf(name).DSR_AUDIT_BUCKET !== undefined)
      .sort();
    // The audit chain heads job (audit:heads) writes only under audit-heads/ (test/infra/audit-trail.test.ts);
    // the download route reads a certificate's page for the browser that entered the code.
    expect(told).toEqual(
      [...declaring('audit:write'), ...declaring('audit:heads'), ...declaring('certificates:read')].sort(),
    );
    expect(declaring('certificates:read')).toEqual(['DownloadExport']);
    expect(told).toContain('IssueCertificate');
  });

  it('grants no wildcard action on any data store', () => {
    const onStores = grants.filter((g) => onStore(g.resource));
    expect(onStores.length).toBeGreaterThan(0);
    expect(onStores.filter((g) => g.action.includes('*'))).toEqual([]);
  });

  it('lets the erasing function delete and update items of every demo table by key, nothing more', () => {
    const erase = grantsOfFunction(grants, 'EraseStore');
    for (const storeId of Object.keys(DEMO_TABLES)) {
      const actions = erase.filter((g) => tableArn(storeId).test(g.resource)).map((g) => g.action);
      expect({ storeId, actions: actions.filter((a) => a !== 'dynamodb:Query').sort() }).toEqual({
        storeId,
        actions: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
      });
    }
  });

  it('lets the erasing function delete every version of, and rewrite, objects under each demo store prefix', () => {
    const erase = grantsOfFunction(grants, 'EraseStore');
    for (const storeId of DEMO_BUCKET_STORES) {
      const actions = erase.filter((g) => bucketObjects(storeId).test(g.resource)).map((g) => g.action);
      expect({ storeId, actions: [...new Set(actions)].sort() }).toEqual({
        storeId,
        actions: [
          's3:DeleteObject',
          's3:DeleteObjectVersion',
          's3:GetObject',
          's3:GetObjectVersion',
          's3:PutObject',
        ],
      });
    }
  });

  it('lets no function without stores:write change or delete store records, and opt-outs and changes only update them', () => {
    const writers = [
      ...new Set(grants.filter((g) => onStore(g.resource) && ERASING.test(g.action)).map(functionOf)),
    ].sort();
    const updaters = [...declaring('stores:consent'), ...declaring('stores:change')];
    expect(writers).toEqual([...declaring('stores:write'), ...updaters].sort());
    for (const name of updaters) {
      const changes = grantsOfFunction(grants, name).filter(
        (g) => onStore(g.resource) && ERASING.test(g.action),
      );
      expect([...new Set(changes.map((g) => g.action))]).toEqual(['dynamodb:UpdateItem']);
    }
    expect(writers).not.toContain('ExportStore');
    // The exporter reads stores, nothing else.
    const exporterOnStores = grantsOfFunction(grants, 'ExportStore').filter((g) => onStore(g.resource));
    expect([...new Set(exporterOnStores.map((g) => g.action))].sort()).toEqual([
      'dynamodb:Query',
      's3:GetObject',
      's3:ListBucket',
      's3:ListBucketVersions',
    ]);
  });

  it('lets a retried erasure see an object it already deleted as missing, not forbidden', () => {
    for (const storeId of DEMO_BUCKET_STORES) {
      const listing = grantsOfFunction(grants, 'EraseStore').filter(
        (g) => g.action === 's3:ListBucket' && g.resource.includes(`DemoStores${pascal(storeId)}Bucket`),
      );
      expect({ storeId, unconditional: listing.some((g) => g.condition === undefined) }).toEqual({
        storeId,
        unconditional: true,
      });
    }
  });

  it('lets store readers list every object version, only under the store prefix', () => {
    for (const name of declaring('stores:read')) {
      for (const storeId of DEMO_BUCKET_STORES) {
        const listing = grantsOfFunction(grants, name).filter(
          (g) =>
            g.action === 's3:ListBucketVersions' && g.resource.includes(`DemoStores${pascal(storeId)}Bucket`),
        );
        expect(listing.length).toBeGreaterThan(0);
        for (const g of listing) {
          expect(g.condition).toEqual({ StringLike: { 's3:prefix': [`${storeId}/*`] } });
        }
      }
    }
  });

  it('lets the certificate writers only add certificates to the audit bucket, the reader only read their pages, and nobody else touch it', () => {
    // The audit chain heads job is confined to audit-heads/ (test/infra/audit-trail.test.ts).
    const reads = grants.filter(
      (g) => g.resource.includes('AuditBucket') && declaring('certificates:read').includes(functionOf(g)),
    );
    expect(reads.map((g) => [g.action, /\/certificates\/[^"]*/.exec(g.resource)?.[0]])).toEqual([
      ['s3:GetObject', '/certificates/*/certificate.html'],
    ]);
    const onAudit = grants.filter(
      (g) =>
        g.resource.includes('AuditBucket') &&
        !declaring('audit:heads').includes(functionOf(g)) &&
        !declaring('certificates:read').includes(functionOf(g)),
    );
    expect([...new Set(onAudit.map(functionOf))].sort()).toEqual(declaring('audit:write'));
    expect(declaring('audit:write')).toContain('IssueCertificate');
    for (const g of onAudit) {
      expect({ fn: functionOf(g), action: g.action }).toEqual({ fn: functionOf(g), action: 's3:PutObject' });
      expect(g.resource).toContain('/certificates/*');
    }
  });

  it('keeps erasure working files out of reach of the internet-facing functions', () => {
    for (const name of Object.keys(HTTP_FUNCTIONS)) {
      expect(grantsOfFunction(grants, name).filter((g) => g.resource.includes('/erasure/'))).toEqual([]);
    }
    for (const name of ['EraseStore', 'IssueCertificate']) {
      expect(grantsOfFunction(grants, name).some((g) => g.resource.includes('/erasure/*'))).toBe(true);
    }
  });

  it('lets the erasure tasks tell a missing manifest summary (404) from a forbidden one (403)', () => {
    for (const name of ['EraseStore', 'IssueCertificate']) {
      const listing = grantsOfFunction(grants, name).filter(
        (g) => g.action === 's3:ListBucket' && /^\{"Fn::GetAtt":\["ExportsBucket/.test(g.resource),
      );
      expect({ name, unconditional: listing.some((g) => g.condition === undefined) }).toEqual({
        name,
        unconditional: true,
      });
    }
  });

  it('expires erasure working files, which hold record keys, after 30 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'erasure/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('has no unacknowledged AwsSolutions or Serverless findings with demo stores either', () => {
    const findings = [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
      pack.validateScope(app).violations.map((v) => v.ruleName),
    );
    expect(findings).toEqual([]);
  });

  it('fails the execution, which raises the failed-executions alarm, when an erasure cannot be verified', () => {
    // The ASL must route ErasureIncomplete to a Fail state: the alarm counts failed executions only.
    interface State {
      Type: string;
      Next?: string;
      End?: boolean;
      Resource?: string;
      Parameters?: { FunctionName?: unknown };
      Catch?: { ErrorEquals: string[]; Next: string }[];
      ItemProcessor?: { States: Record<string, State> };
      Iterator?: { States: Record<string, State> };
    }
    const asl = JSON.parse(fs.readFileSync(WORKFLOW_DEFINITION_FILE, 'utf8')) as {
      States: Record<string, State>;
    };
    const catcher = (s: State, error: string) =>
      s.Catch?.find((c) => c.ErrorEquals.includes(error) || c.ErrorEquals.includes('States.ALL'));
    /** Where a run that reaches `name` ends: Fail, Succeed, or End (succeeds). */
    const endOf = (states: Record<string, State>, name: string): string => {
      for (let at: string | undefined = name, hops = 0; at && hops < 50; hops++) {
        const s: State | undefined = states[at];
        if (!s) throw new Error(`no state ${at}`);
        if (s.Type === 'Fail' || s.Type === 'Succeed') return s.Type;
        if (s.End) return 'End';
        at = s.Next;
      }
      throw new Error('no terminal state');
    };
    const [mapName, map] =
      Object.entries(asl.States).find(([, s]) =>
        Object.values((s.ItemProcessor ?? s.Iterator)?.States ?? {}).some(
          (inner) => taskNameOf(inner.Parameters?.FunctionName) === 'EraseStore',
        ),
      ) ?? [];
    if (!map || !mapName) throw new Error('no Map state runs EraseStore');
    const inner = (map.ItemProcessor ?? map.Iterator)?.States ?? {};
    // EraseStore proves its own erasure by re-query.
    const verify = Object.values(inner).find((s) => taskNameOf(s.Parameters?.FunctionName) === 'EraseStore');
    const innerCatch = verify && catcher(verify, 'ErasureIncomplete');
    // A catch inside the Map must end the iteration in a Fail, or the failure would be swallowed.
    if (innerCatch) expect(innerCatch.Next).toBe('ErasureFailed');
    const outerCatch = catcher(map, 'ErasureIncomplete') ?? catcher(map, 'States.TaskFailed');
    const end = outerCatch ? endOf(asl.States, outerCatch.Next) : 'Fail';
    expect({ after: mapName, end }).toEqual({ after: mapName, end: 'Fail' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Threshold: 1,
    });
  });
});
