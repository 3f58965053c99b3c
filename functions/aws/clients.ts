/**
 * Composition root for AWS SDK clients: one per service per cold start,
 * created lazily so the local runtime can set `AWS_ENDPOINT_URL_*` first.
 * Handlers take clients from here; domain code and adapters take them as parameters.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from './config';

let dynamodb: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let ses: SESv2Client | undefined;
let sfn: SFNClient | undefined;
let secrets: SecretsManagerClient | undefined;
let ssm: SSMClient | undefined;

export function dynamoDbClient(): DynamoDBDocumentClient {
  dynamodb ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamodb;
}

export function s3Client(): S3Client {
  s3 ??= new S3Client({ forcePathStyle: loadConfig().s3ForcePathStyle });
  return s3;
}

export function sesClient(): SESv2Client {
  ses ??= new SESv2Client({});
  return ses;
}

export function sfnClient(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}

/** SSM: only the support action reads who started its Automation execution. */
export function ssmClient(): SSMClient {
  ssm ??= new SSMClient({});
  return ssm;
}

export function secretsClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient({});
  return secrets;
}

/** For tests that swap endpoints between cases. */
export function resetClients(): void {
  dynamodb = s3 = ses = sfn = secrets = ssm = undefined;
}
