import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AUDIT_TABLE } from '../definitions/tables';
import { tableShape } from './table-props';

/** Key prefix of the daily chain heads in the audit bucket (see functions/core/audit/trail.ts). */
export const AUDIT_HEADS_PREFIX = 'audit-heads/';

export interface AuditTrailTableProps {
  readonly encryptionKey: kms.IKey;
}

/**
 * The requests' audit hash chains (`audit:append` functions put, never update):
 * CMK-encrypted, recoverable (PITR), protected from deletion and kept if the
 * stack goes. No TTL, so entries outlive the ledger's minimisation by far more
 * than the 24 months the law asks for.
 */
export class AuditTrailTable extends Construct {
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: AuditTrailTableProps) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      ...tableShape(AUDIT_TABLE),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
