import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SUPPRESSION_TABLE } from '../definitions/tables';
import { tableShape } from './table-props';

export interface SuppressionListProps {
  readonly encryptionKey: kms.IKey;
}

/**
 * The suppression list (`suppression:write` functions): keyed hashes of subjects who
 * withdrew marketing consent, and used one-click unsubscribe tokens. It is the
 * durable record of those withdrawals, so like the ledger it is CMK-encrypted,
 * recoverable (PITR), protected from deletion and kept if the stack goes.
 */
export class SuppressionList extends Construct {
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: SuppressionListProps) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      ...tableShape(SUPPRESSION_TABLE),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
