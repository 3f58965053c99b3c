/**
 * What every handler needs, built once per cold start from config and the
 * client factory: the ledger adapter, the hashing key and the config itself.
 */

import { dynamoDbClient, secretsClient } from './clients';
import { type Config, loadConfig } from './config';
import { LedgerTable } from './ledger';
import { loadHashingKey } from './secrets';

let ledger: LedgerTable | undefined;

export function config(): Config {
  return loadConfig();
}

export function ledgerTable(): LedgerTable {
  ledger ??= new LedgerTable(dynamoDbClient(), loadConfig().DSR_LEDGER_TABLE);
  return ledger;
}

export function hashingKey(): Promise<Buffer> {
  return loadHashingKey(loadConfig(), secretsClient);
}

/** For tests. */
export function resetRuntime(): void {
  ledger = undefined;
}
