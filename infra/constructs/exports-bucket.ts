import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Key prefix under which export files and archives are written. */
export const EXPORTS_PREFIX = 'exports/';
/** Key prefix of the erasure working files (decision manifests and their summaries). */
export const ERASURE_PREFIX = 'erasure/';

export interface ExportsBucketProps {
  readonly encryptionKey: kms.IKey;
  /** Days an export object lives; the emailed link lives 7 days, so one more. */
  readonly exportExpiration?: Duration;
  /**
   * Days erasure manifests live: long enough for a failed erasure to be fixed
   * and redriven (Step Functions redrives within 14 days); the certificate in
   * the audit bucket is the lasting record.
   */
  readonly erasureFilesExpiration?: Duration;
}

/**
 * Where access-request exports are assembled and downloaded from and where
 * erasure keeps its working files, plus the access-log bucket of every bucket.
 */
export class ExportsBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ExportsBucketProps) {
    super(scope, id);
    // S3 server access logs can only be delivered to an SSE-S3 bucket.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'exports-bucket/',
      lifecycleRules: [
        {
          id: 'ExpireExports',
          prefix: EXPORTS_PREFIX,
          expiration: props.exportExpiration ?? Duration.days(8),
          // Versioning keeps deleted exports as noncurrent versions; personal data must not linger.
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'ExpireErasureFiles',
          prefix: ERASURE_PREFIX,
          expiration: props.erasureFilesExpiration ?? Duration.days(30),
          noncurrentVersionExpiration: Duration.days(1),
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
