import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LedgerTable } from '../../functions/aws/ledger';
import { createTableInput, LEDGER_TABLE } from '../../infra/definitions/tables';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';

/** A ledger on its own dynalite, created from the CDK's table definition (ledger tests). */
export async function startLedgerTable(): Promise<{ ledger: LedgerTable; stop: () => Promise<void> }> {
  const emulators = await startEmulators();
  const raw = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await raw.send(new CreateTableCommand(createTableInput('dsr-ledger', LEDGER_TABLE)));
  const ledger = new LedgerTable(
    DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    'dsr-ledger',
  );
  return { ledger, stop: () => emulators.stop() };
}
