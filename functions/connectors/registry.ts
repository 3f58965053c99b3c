import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DataStore } from '../core/data-map';
import type { Connector } from '../core/ports';
import { DynamoDbConnector } from './dynamodb';
import { S3Connector } from './s3';

/** The SDK clients connectors need, built once by the composition root. */
export interface ConnectorClients {
  readonly dynamodb: DynamoDBDocumentClient;
  readonly s3: S3Client;
}

/**
 * The connector for a data store of the data map: a plain switch over its kind.
 * Processors have no connector: they are told through their webhook (functions/connectors/processor-webhook.ts).
 */
export function createConnector(store: DataStore, clients: ConnectorClients): Connector {
  switch (store.kind) {
    case 'dynamodb':
      return new DynamoDbConnector(store, clients.dynamodb);
    case 's3':
      return new S3Connector(store, clients.s3);
    default: {
      const unknownStore: never = store;
      throw new Error(`no connector for store kind ${(unknownStore as { kind: string }).kind}`);
    }
  }
}
