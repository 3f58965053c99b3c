import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface SecretsProps {
  readonly encryptionKey: kms.IKey;
}

/** The keyed-hash secret for subject hashes, verification codes and download tokens. */
export class Secrets extends Construct {
  public readonly hashingKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);
    this.hashingKey = new secretsmanager.Secret(this, 'HashingKey', {
      description: 'HMAC key for subject hashes, verification codes and download tokens',
      encryptionKey: props.encryptionKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.hashingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An HMAC key, not a credential: rotating it would orphan every stored subject hash and pending token; rotation is a planned migration',
    });
  }
}
