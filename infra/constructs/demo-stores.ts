import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DEMO_BUCKET_STORES, DEMO_TABLES } from '../definitions/tables';
import { tableShape } from './table-props';

export interface DemoStoresProps {
  /** Receives the demo buckets' server access logs. */
  readonly accessLogsBucket: s3.IBucket;
}

/**
 * The Impor.in demo stores (tables and buckets with generated names), for a
 * deployment that shows the workflow end to end. Destroyed with the stack.
 */
export class DemoStores extends Construct {
  public readonly tables: Readonly<Record<string, dynamodb.TableV2>>;
  public readonly buckets: Readonly<Record<string, s3.Bucket>>;

  constructor(scope: Construct, id: string, props: DemoStoresProps) {
    super(scope, id);
    const tables: Record<string, dynamodb.TableV2> = {};
    for (const [storeId, def] of Object.entries(DEMO_TABLES)) {
      tables[storeId] = new dynamodb.TableV2(this, `${pascal(storeId)}Table`, {
        ...tableShape(def),
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
    const buckets: Record<string, s3.Bucket> = {};
    for (const storeId of DEMO_BUCKET_STORES) {
      buckets[storeId] = new s3.Bucket(this, `${pascal(storeId)}Bucket`, {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        encryption: s3.BucketEncryption.S3_MANAGED,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        // Like real stores: erasure must find and remove every old version, not only the current one.
        versioned: true,
        // A failed rewrite of a JSON Lines object must not leave its uploaded parts behind.
        lifecycleRules: [
          { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ],
        serverAccessLogsBucket: props.accessLogsBucket,
        serverAccessLogsPrefix: `demo-${storeId}/`,
        removalPolicy: RemovalPolicy.DESTROY,
        autoDeleteObjects: false,
      });
    }
    this.tables = tables;
    this.buckets = buckets;
  }

  /** Store id → physical table or bucket name, for the functions' store bindings. */
  public get bindings(): Record<string, string> {
    return {
      ...Object.fromEntries(Object.entries(this.tables).map(([id, t]) => [id, t.tableName])),
      ...Object.fromEntries(Object.entries(this.buckets).map(([id, b]) => [id, b.bucketName])),
    };
  }
}

/** `marketing-preferences` → `MarketingPreferences`, for construct ids. */
export function pascal(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
