import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ProcessorStore } from '../../functions/core/data-map';
import { pascal } from './demo-stores';

export interface ProcessorSecretsProps {
  /** The data map's processors (processors), each naming its Secrets Manager secret. */
  readonly processors: readonly ProcessorStore[];
  readonly encryptionKey: kms.IKey;
}

/**
 * Refuses a processor whose endpoint is not a plain `https:` URL: outside
 * local mode processors are only ever called over TLS, and the deployed
 * functions would refuse it anyway, so a deploy should not get that far.
 */
export function assertHttpsEndpoints(processors: readonly ProcessorStore[]): void {
  for (const store of processors) {
    let url: URL;
    try {
      url = new URL(store.endpoint);
    } catch {
      throw new Error(`processor "${store.id}" in the data map has an endpoint that is not a URL`);
    }
    if (url.protocol !== 'https:') {
      throw new Error(
        `processor "${store.id}" in the data map has a ${url.protocol} endpoint; partners are called over https only outside local mode`,
      );
    }
    if (url.username || url.password) {
      throw new Error(`processor "${store.id}" in the data map has credentials in its endpoint URL`);
    }
  }
}

/**
 * One Secrets Manager secret per processor, named by its `secretName`: the
 * HMAC key both sides sign with. The stack generates it (64 random
 * characters, CMK-encrypted, retained) and the operator shares it with the
 * processor over a secure channel, like a webhook provider's signing secret.
 */
export class ProcessorSecrets extends Construct {
  /** Processor id → its secret. */
  public readonly secrets: Readonly<Record<string, secretsmanager.Secret>>;
  private readonly processors: readonly ProcessorStore[];
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: ProcessorSecretsProps) {
    super(scope, id);
    assertHttpsEndpoints(props.processors);
    this.processors = props.processors;
    this.encryptionKey = props.encryptionKey;
    const secrets: Record<string, secretsmanager.Secret> = {};
    for (const store of props.processors) {
      const secret = new secretsmanager.Secret(this, `${pascal(store.id)}Secret`, {
        // The functions look the secret up by this name (functions/aws/processor-secrets.ts).
        secretName: store.secretName,
        description: `HMAC key shared with ${store.name} for signed DSR webhooks and callbacks`,
        encryptionKey: props.encryptionKey,
        generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
        // The processor holds a copy: deleting the stack must not silently break its signatures. A rolled-back
        // first create deletes it (RetainExceptOnCreate), so the next deploy does not meet a leftover name.
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'A signing key shared with the partner: it is rotated by agreement with the partner (new value shared, then switched), which no rotation Lambda can do',
      });
      secrets[store.id] = secret;
    }
    this.secrets = secrets;
  }

  /**
   * The ARN pattern of a secret by its name: Secrets Manager appends `-` and
   * six random characters, so `??????` matches exactly that secret, never a
   * sibling whose name merely starts the same.
   */
  public static arnPatternOf(scope: Construct, secretName: string): string {
    return Stack.of(scope).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${secretName}-??????`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * `GetSecretValue` on exactly the processors' secrets (by name, never `*`)
   * and decryption with the CMK only through Secrets Manager.
   */
  public grantRead(grantee: lambda.IFunction): void {
    if (this.processors.length === 0) return;
    grantee.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: this.processors.map((store) => ProcessorSecrets.arnPatternOf(this, store.secretName)),
      }),
    );
    this.encryptionKey.grantDecrypt(
      new kms.ViaServicePrincipal(
        `secretsmanager.${Stack.of(this).region}.amazonaws.com`,
        grantee.grantPrincipal,
      ),
    );
  }
}
