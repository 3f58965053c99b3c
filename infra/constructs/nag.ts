import { Stack, Validations } from 'aws-cdk-lib';
// cdk-nag renders tokens in finding ids this way (`<LogicalId.Arn>`); reusing it keeps ids exact.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges the AwsSolutions-IAM5 finding for one wildcard resource (which
 * may contain tokens) on `scope`, so every other wildcard still fails.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const rendered = flattenCfnReference(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
}

/** Acknowledges the AwsSolutions-IAM5 finding for one wildcard action (e.g. `kms:GenerateDataKey*`). */
export function acknowledgeWildcardAction(scope: IConstruct, action: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
}
