import type { DataMap, IdentityKind } from '../core/data-map';
import { identityOf, isDataStore } from '../core/data-map';
import type { Subject } from '../core/ports';
import { subjectLookupForm } from '../core/request';
import { type ConnectorClients, createConnector } from './registry';

const MAX_ROUNDS = 3;

/**
 * Resolves every identifier of the person behind an email: starting from the
 * email, stores that `provide` an identity (e.g. customers → customerId) are
 * read with what is already known, until nothing new turns up (at most 3 rounds).
 */
export async function resolveSubject(
  dataMap: DataMap,
  clients: ConnectorClients,
  email: string,
): Promise<Subject> {
  const known = new Map<IdentityKind, Set<string>>([['email', new Set([subjectLookupForm(email)])]]);
  const snapshot = (): Subject => ({
    identities: Object.fromEntries([...known].map(([kind, values]) => [kind, [...values]])),
  });
  const providers = dataMap.stores
    .filter(isDataStore)
    .filter((s) => s.provides && Object.keys(s.provides).length > 0);

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const subject = snapshot();
    let added = false;
    for (const store of providers) {
      if (!known.get(identityOf(store))?.size) continue;
      const provides = Object.entries(store.provides ?? {}) as [IdentityKind, string][];
      for await (const page of createConnector(store, clients).export(subject)) {
        for (const record of page) {
          for (const [kind, attribute] of provides) {
            const value = record.data[attribute];
            if (typeof value !== 'string' || value === '') continue;
            const form = kind === 'email' ? subjectLookupForm(value) : value;
            const values = known.get(kind) ?? new Set<string>();
            if (!values.has(form)) {
              values.add(form);
              known.set(kind, values);
              added = true;
            }
          }
        }
      }
    }
    if (!added) break;
  }
  return snapshot();
}
