import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { isChangeable } from '../../functions/core/data-map';
import { DEPLOYMENT } from '../../functions/deployment';
import { pascal } from '../../infra/constructs/demo-stores';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { accessGranted, functionOf, grantsOf, grantsOfFunction } from './support/policies';
import { synth } from './support/synth';

// Demo stores make each store a resource of its own; a contact list (created here) turns on the SES contact grants.
const { app, template } = synth({
  demoStores: 'true',
  sesContactList: 'impor-in-marketing',
  sesContactTopics: 'promotions, newsletter',
  createSesContactList: 'true',
});
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }
>;
const grants = grantsOf(template);
const registry: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(DEPLOYMENT).map(([n, e]) => [n, e.access]),
);
const declaring = (access: string) =>
  Object.keys(registry)
    .filter((name) => registry[name]?.includes(access))
    .sort();
const environmentOf = (name: string): Record<string, unknown> => {
  const entry = Object.entries(resources).find(
    ([id, r]) =>
      r.Type === 'AWS::Lambda::Function' && new RegExp(`^Functions${name}Function[0-9A-F]{8}$`).test(id),
  );
  if (!entry) throw new Error(`no function ${name}`);
  return (entry[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
};
const suppressionId = Object.keys(resources).find((id) => /^SuppressionTable[0-9A-F]{8}$/.test(id));
const onSuppression = (resource: string) => resource.includes('SuppressionTable');
const consentStores = loadDemoDataMap().stores.filter(
  (s) => s.kind === 'dynamodb' && (s.marketingConsentFields?.length ?? 0) > 0,
);

describe('opt-out in the deployed stack', () => {
  it('keeps the suppression list encrypted with the CMK, recoverable, protected and retained', () => {
    expect(suppressionId).toBe('SuppressionTableE8D1D573');
    const table = resources[suppressionId as string];
    expect(table?.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'subjectHash', KeyType: 'HASH' }],
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        expect.objectContaining({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: {
            KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^EncryptionKey/), 'Arn'] },
          },
        }),
      ],
    });
    expect(table?.Properties).not.toHaveProperty('TimeToLiveSpecification');
  });

  it('lets only suppression:write functions get, put and update suppression entries, never delete or scan them', () => {
    const touching = grants.filter((g) => onSuppression(g.resource));
    expect([...new Set(touching.map(functionOf))].sort()).toEqual(declaring('suppression:write'));
    expect([...new Set(touching.map((g) => g.action))].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(declaring('suppression:write')).toEqual(
      expect.arrayContaining(['RecordSuppression', 'Unsubscribe']),
    );
  });

  it('tells only suppression:write functions where the suppression list is', () => {
    for (const name of Object.keys(registry)) {
      const env = environmentOf(name);
      if (registry[name]?.includes('suppression:write')) {
        expect(env.DSR_SUPPRESSION_TABLE).toEqual({ Ref: suppressionId });
      } else {
        expect({ name, env }).not.toHaveProperty('env.DSR_SUPPRESSION_TABLE');
      }
    }
  });

  it('lets opt-outs update items only in stores that declare marketing consent fields', () => {
    expect(consentStores.map((s) => s.id)).toEqual(['marketing-preferences']);
    for (const name of declaring('stores:consent')) {
      const updates = grantsOfFunction(grants, name).filter((g) => g.action === 'dynamodb:UpdateItem');
      const storeUpdates = updates.filter((g) => g.resource.includes('DemoStores'));
      expect(storeUpdates.map((g) => g.resource).sort()).toEqual(
        consentStores.map((s) => expect.stringContaining(`DemoStores${pascal(s.id)}Table`)),
      );
      const erasing = grantsOfFunction(grants, name).filter(
        (g) =>
          g.resource.includes('DemoStores') &&
          /^(dynamodb:(DeleteItem|PutItem|BatchWriteItem)|s3:(PutObject|DeleteObject|DeleteObjectVersion))$/.test(
            g.action,
          ),
      );
      expect(erasing).toEqual([]);
    }
  });

  it('lets change requests update items only in stores that declare changeable fields, and never erase', () => {
    const changeable = loadDemoDataMap()
      .stores.filter((s) => s.kind === 'dynamodb' && isChangeable(s))
      .map((s) => s.id);
    expect(changeable).toEqual(['customers', 'marketing-preferences']);
    expect(declaring('stores:change')).toEqual(['ChangeStore']);
    const grantsOfChange = grantsOfFunction(grants, 'ChangeStore').filter((g) =>
      g.resource.includes('DemoStores'),
    );
    const updated = grantsOfChange.filter((g) => g.action === 'dynamodb:UpdateItem').map((g) => g.resource);
    expect(updated.sort()).toEqual(
      changeable.map((id) => expect.stringContaining(`DemoStores${pascal(id)}Table`)),
    );
    expect(grantsOfChange.filter((g) => /Delete|PutItem|BatchWrite/.test(g.action))).toEqual([]);
  });

  it('lets only contacts:write functions create and update contacts, on the configured contact list only', () => {
    const contactGrants = grants.filter((g) => g.action.startsWith('ses:') && /Contact/.test(g.action));
    expect([...new Set(contactGrants.map(functionOf))].sort()).toEqual(declaring('contacts:write'));
    expect([...new Set(contactGrants.map((g) => g.action))].sort()).toEqual([
      'ses:CreateContact',
      'ses:UpdateContact',
    ]);
    for (const g of contactGrants) expect(g.resource).toMatch(/:contact-list\/impor-in-marketing"/);
    for (const name of Object.keys(registry)) {
      const env = environmentOf(name);
      if (registry[name]?.includes('contacts:write')) {
        expect(env).toMatchObject({
          DSR_SES_CONTACT_LIST: 'impor-in-marketing',
          DSR_SES_CONTACT_TOPICS: 'promotions,newsletter',
        });
      } else {
        expect({ name, env }).not.toHaveProperty('env.DSR_SES_CONTACT_LIST');
      }
    }
  });

  it('creates the contact list it was asked to, with its topics opted out by default, and keeps it on delete', () => {
    const lists = Object.values(resources).filter((r) => r.Type === 'AWS::SES::ContactList');
    expect(lists).toHaveLength(1);
    expect(lists[0]?.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(lists[0]?.Properties).toMatchObject({
      ContactListName: 'impor-in-marketing',
      Topics: [
        { TopicName: 'promotions', DefaultSubscriptionStatus: 'OPT_OUT' },
        { TopicName: 'newsletter', DefaultSubscriptionStatus: 'OPT_OUT' },
      ],
    });
    expect(template.toJSON().Outputs).toHaveProperty('SesContactListName.Value', 'impor-in-marketing');
  });

  it('grants every function exactly its declared access with a contact list and demo stores', () => {
    for (const [name, declared] of Object.entries(registry)) {
      // `mail:support` only widens `mail:send` to support's address (none configured here).
      const expected = declared.filter((access) => access !== 'mail:support');
      expect({ name, access: accessGranted(grants, name) }).toEqual({ name, access: [...expected].sort() });
    }
  });

  it('serves GET and POST /unsubscribe from the Unsubscribe function, which may start the workflow', () => {
    const unsubscribe = Object.keys(resources).find((id) =>
      /^FunctionsUnsubscribeFunction[0-9A-F]{8}$/.test(id),
    );
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'unsubscribe' });
    for (const method of ['GET', 'POST']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        Integration: Match.objectLike({
          Uri: Match.objectLike({
            'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [unsubscribe, 'Arn'] }])]),
          }),
        }),
      });
    }
    expect(grantsOfFunction(grants, 'Unsubscribe').map((g) => g.action)).toContain('states:StartExecution');
  });

  it('has no unacknowledged AwsSolutions or Serverless findings with opt-out configured', () => {
    const findings = [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
      pack.validateScope(app).violations.map((v) => v.ruleName),
    );
    expect(findings).toEqual([]);
  });
});
