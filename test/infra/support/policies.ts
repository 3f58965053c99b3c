import type { Template } from 'aws-cdk-lib/assertions';

/** One allowed action on one resource (a statement's actions × resources), with its conditions. */
export interface Grant {
  /** Logical id of the AWS::IAM::Policy, e.g. `FunctionsEraseStoreFunctionRoleDefaultPolicy…`. */
  readonly policyId: string;
  readonly action: string;
  /** The resource as JSON, tokens included, e.g. `{"Fn::GetAtt":["DemoStoresOrdersTable…","Arn"]}`. */
  readonly resource: string;
  readonly condition?: unknown;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every Allow of every IAM policy in the template, flattened to one action on one resource. */
export function grantsOf(template: Template): Grant[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { PolicyDocument: { Statement: Statement[] } } }
  >;
  return Object.entries(policies).flatMap(([policyId, policy]) =>
    policy.Properties.PolicyDocument.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
      [s.Action].flat().flatMap((action) =>
        [s.Resource].flat().map((resource) => ({
          policyId,
          action,
          resource: JSON.stringify(resource),
          ...(s.Condition ? { condition: s.Condition } : {}),
        })),
      ),
    ),
  );
}

/** The grants of one registry function (task or HTTP), by its construct name. */
export function grantsOfFunction(grants: readonly Grant[], name: string): Grant[] {
  return grants.filter((g) => g.policyId.startsWith(`Functions${name}FunctionRole`));
}

/** The registry function a policy belongs to, e.g. `EraseStore`. */
export function functionOf(grant: Grant): string {
  return grant.policyId.replace(/^Functions/, '').replace(/FunctionRole.*$/, '');
}

const LEDGER_ACCESS: Record<string, string> = {
  'dynamodb:GetItem': 'ledger:read',
  'dynamodb:Query': 'ledger:read',
  'dynamodb:PutItem': 'ledger:write',
  'dynamodb:UpdateItem': 'ledger:write',
};
const STORE_ACCESS: Record<string, string> = {
  'dynamodb:Query': 'stores:read',
  's3:GetObject': 'stores:read',
  'dynamodb:DeleteItem': 'stores:write',
  'dynamodb:UpdateItem': 'stores:write',
  'dynamodb:BatchWriteItem': 'stores:write',
  's3:PutObject': 'stores:write',
  's3:DeleteObject': 'stores:write',
  's3:DeleteObjectVersion': 'stores:write',
};
const SERVICE_ACCESS: Record<string, string> = {
  'secretsmanager:GetSecretValue': 'secret:read',
  'ses:SendEmail': 'mail:send',
  'ses:SendRawEmail': 'mail:send',
  'states:StartExecution': 'workflow:start',
  'states:SendTaskSuccess': 'workflow:callback',
  'states:SendTaskFailure': 'workflow:callback',
  'ses:CreateContact': 'contacts:write',
  'ses:UpdateContact': 'contacts:write',
  'ssm:GetAutomationExecution': 'automation:caller',
};

/**
 * The registry access kind a grant gives (see functions/deployment.ts),
 * recognised by its action and resource, or
 * undefined for supporting grants (logs, traces, KMS, listing).
 */
export function accessOf(grant: Grant): string | undefined {
  const { action, resource } = grant;
  if (resource.includes('LedgerTable')) return LEDGER_ACCESS[action];
  if (resource.includes('RateLimitsTable')) return 'limits:write';
  if (resource.includes('IdempotencyTable')) return 'idempotency:write';
  if (resource.includes('SuppressionTable')) return 'suppression:write';
  if (resource.includes('ExportsBucket')) {
    if (action === 's3:GetObject') return 'exports:read';
    if (action === 's3:PutObject') return 'exports:write';
    return undefined;
  }
  // audit (owner: audit): appenders put and get entries; the heads job queries the day index and writes heads.
  if (resource.includes('AuditTrailTable')) {
    if (resource.includes('/index/')) return 'audit:heads';
    return action === 'dynamodb:Query' ? undefined : 'audit:append';
  }
  const heads = `${resource}${JSON.stringify(grant.condition ?? '')}`.includes('audit-heads/');
  if (resource.includes('AuditBucket') && heads) return 'audit:heads';
  if (resource.includes('AuditBucket')) {
    if (action === 's3:PutObject') return 'audit:write';
    // Reading a certificate's page, and nothing else in the bucket.
    return action === 's3:GetObject' && resource.includes('/certificates/*/certificate.html')
      ? 'certificates:read'
      : 'audit:other';
  }
  // The hashing key is granted by reference; processor secrets by name (`:secret:<name>-??????`).
  if (action === 'secretsmanager:GetSecretValue' && resource.includes(':secret:')) return 'processors:secret';
  if (action.startsWith('dynamodb:') || action.startsWith('s3:')) return STORE_ACCESS[action];
  return SERVICE_ACCESS[action];
}

/** True when a grant only updates items of a store table: `stores:consent`, unless the function also erases. */
const isStoreUpdate = (grant: Grant) =>
  grant.action === 'dynamodb:UpdateItem' && accessOf(grant) === 'stores:write';

/** The demo data map's only store with consent fields (what `stores:consent` reaches). */
const CONSENT_TABLE = /MarketingPreferences|marketing-preferences/;

/**
 * The access kinds one registry function's grants give, sorted. A function
 * whose only store writes are `UpdateItem` has `stores:consent` (opt-out) when
 * they reach consent tables only, `stores:change` when they reach others too,
 * not `stores:write`.
 */
export function accessGranted(grants: readonly Grant[], name: string): string[] {
  const own = grantsOfFunction(grants, name);
  const erases = own.some((g) => accessOf(g) === 'stores:write' && !isStoreUpdate(g));
  const updates = own.filter(isStoreUpdate);
  const update = updates.every((g) => CONSENT_TABLE.test(g.resource)) ? 'stores:consent' : 'stores:change';
  const kinds = own.flatMap((g) => (isStoreUpdate(g) && !erases ? update : (accessOf(g) ?? [])));
  return [...new Set(kinds)].sort();
}
