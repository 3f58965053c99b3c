import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { LEDGER_TABLE } from '../definitions/tables';
import { tableShape } from './table-props';

export interface LedgerProps {
  readonly encryptionKey: kms.IKey;
}

/** The request ledger: the system's record of every request, kept even if the stack goes. */
export class Ledger extends Construct {
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: LedgerProps) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      ...tableShape(LEDGER_TABLE),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
