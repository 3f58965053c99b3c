import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE, RATE_LIMIT_TABLE, type TableDefinition } from '../definitions/tables';
import { tableShape } from './table-props';

export interface GuardTableProps {
  readonly encryptionKey: kms.IKey;
}

/**
 * A short-lived table behind the API's abuse guards: CMK-encrypted like the
 * ledger, items expire by TTL, and nothing in it is worth restoring, so no
 * point-in-time recovery (whose backups would keep expired items for 35 days)
 * and no deletion protection.
 */
abstract class GuardTable extends Construct {
  public readonly table: dynamodb.TableV2;

  protected constructor(scope: Construct, id: string, def: TableDefinition, props: GuardTableProps) {
    super(scope, id);
    if (!def.timeToLiveAttribute) throw new Error(`guard table ${id} needs a TTL attribute`);
    this.table = new dynamodb.TableV2(this, 'Table', {
      ...tableShape(def),
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'Items live minutes to an hour (TTL) and are rebuilt by use; PITR backups would only keep expired hashed keys and cached answers for 35 days',
    });
  }
}

/** Fixed-window rate-limit counters (`limits:write` functions), one item per rule, hashed key and window. */
export class RateLimits extends GuardTable {
  constructor(scope: Construct, id: string, props: GuardTableProps) {
    super(scope, id, RATE_LIMIT_TABLE, props);
  }
}

/** Powertools idempotency records for `Idempotency-Key` (`idempotency:write` functions). */
export class Idempotency extends GuardTable {
  constructor(scope: Construct, id: string, props: GuardTableProps) {
    super(scope, id, IDEMPOTENCY_TABLE, props);
  }
}
