import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Key prefix of the certificates of erasure (see functions/core/export/keys.ts). */
export const CERTIFICATES_PREFIX = 'certificates/';

export interface AuditBucketProps {
  readonly encryptionKey: kms.IKey;
  /** Receives the bucket's server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /**
   * Days every object version is locked: in COMPLIANCE mode nobody, root
   * included, can delete or overwrite it before then. Match the longest legal
   * retention the certificates prove (Impor.in: 10 years of tax records).
   */
  readonly retentionDays: number;
  /** GOVERNANCE only for a trial: a user allowed `s3:BypassGovernanceRetention` can empty the bucket. */
  readonly mode: 'COMPLIANCE' | 'GOVERNANCE';
}

/**
 * Write-once storage for certificates of erasure: Object Lock in COMPLIANCE
 * mode (GOVERNANCE in a trial; versioning is implied), encrypted with the CMK, private, TLS only,
 * access-logged and never removed with the stack. A retried certificate write
 * adds a version; the earlier one stays locked, so no proof can be altered.
 */
export class AuditBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly retention: Duration;

  constructor(scope: Construct, id: string, props: AuditBucketProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new Error('the audit retention must be a whole number of days, at least 1');
    }
    this.retention = Duration.days(props.retentionDays);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.mode === 'COMPLIANCE'
          ? s3.ObjectLockRetention.compliance(this.retention)
          : s3.ObjectLockRetention.governance(this.retention),
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'audit-bucket/',
      // Locked objects cannot be deleted anyway; the bucket must outlive any stack change.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
