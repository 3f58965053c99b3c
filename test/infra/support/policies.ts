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
