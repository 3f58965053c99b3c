import { Match } from 'aws-cdk-lib/assertions';
import { DEMO_BUCKET_STORES, DEMO_TABLES } from '../../infra/definitions/tables';
import { synth } from './support/synth';

// `-c demoStores=true` arrives as a string; the app must accept it.
const { template } = synth({
  demoStores: 'true',
  sesIdentity: 'example.test',
  mailFrom: 'privacy@example.test',
  publicBaseUrl: 'https://privacy.example.test/',
});

describe('the stack with demo stores and its own mail identity', () => {
  it('creates the SES identity and sends mail only from its address', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'example.test' });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p.Properties.PolicyDocument as { Statement: { Action: unknown; Condition?: unknown }[] }).Statement,
    );
    const sends = statements.filter((st) => [st.Action].flat().includes('ses:SendEmail'));
    expect(sends.length).toBeGreaterThan(0);
    for (const st of sends)
      expect(st.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'privacy@example.test' } });
  });

  it('puts the configured public URL, without trailing slash, in links', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DSR_PUBLIC_URL: 'https://privacy.example.test' }) },
    });
  });

  it('creates one encrypted, recoverable table per demo DynamoDB store', () => {
    template.resourcePropertiesCountIs(
      'AWS::DynamoDB::GlobalTable',
      {
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
        SSESpecification: { SSEEnabled: true },
      },
      // Plus the ledger, the suppression list and the audit chains.
      Object.keys(DEMO_TABLES).length + 3,
    );
  });

  it('creates one locked-down, versioned bucket per demo S3 store', () => {
    // Plus the exports, access-log and audit buckets.
    template.resourceCountIs('AWS::S3::Bucket', DEMO_BUCKET_STORES.length + 3);
    const demo = Object.entries(template.findResources('AWS::S3::Bucket')).filter(([id]) =>
      id.startsWith('DemoStores'),
    );
    expect(demo).toHaveLength(DEMO_BUCKET_STORES.length);
    for (const [, bucket] of demo) {
      expect(bucket).toMatchObject({ Properties: { VersioningConfiguration: { Status: 'Enabled' } } });
    }
  });

  it('binds every demo store to its physical name in every function', () => {
    const functions = Object.values(
      template.findResources('AWS::Lambda::Function') as Record<
        string,
        { Properties: Record<string, unknown> }
      >,
    );
    for (const fn of functions) {
      const bindings = JSON.stringify(
        (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.DSR_STORE_BINDINGS,
      );
      for (const id of [...Object.keys(DEMO_TABLES), ...DEMO_BUCKET_STORES])
        expect(bindings).toContain(`\\"${id}\\"`);
    }
  });

  it('lets functions query, update and delete demo table items by key, never scan them', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('DemoStoresCustomersTable');
    const storeStatements = Object.values(
      template.findResources('AWS::IAM::Policy') as Record<
        string,
        { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }
      >,
    )
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter(
        (s) =>
          JSON.stringify(s.Resource).includes('DemoStores') && JSON.stringify(s.Resource).includes('Table'),
      );
    expect(storeStatements.length).toBeGreaterThan(0);
    const actions = new Set(storeStatements.flatMap((s) => [s.Action].flat()));
    expect([...actions].sort()).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });
});
