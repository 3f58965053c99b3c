/**
 * The one-click unsubscribe use case on in-memory ports: no SDK, no handler.
 * (The endpoint's answers are covered by http-unsubscribe.test.ts.)
 */

import { DuplicateRequestError, type LedgerRecord } from '../../functions/core/ledger-record';
import {
  OptOutNotStartedError,
  type UnsubscribePorts,
  unsubscribe,
  unsubscribeTokenOf,
} from '../../functions/core/opt-out/unsubscribe';
import { createUnsubscribeToken } from '../../functions/core/opt-out/unsubscribe-token';
import { RefusedError } from '../../functions/core/refusal';

const key = Buffer.alloc(32, 7);
const EMAIL = 'reader@example.com';
const inAMonth = () => new Date(Date.now() + 30 * 24 * 3600_000);

function memoryPorts() {
  const entries = new Map<string, LedgerRecord>();
  const markers = new Map<string, string>();
  const started: unknown[] = [];
  let startFailures = 0;
  const ports: UnsubscribePorts = {
    ledger: {
      get: async (id) => entries.get(id),
      create: async (record, now = new Date()) => {
        if (entries.has(record.requestId)) throw new DuplicateRequestError(record.requestId);
        const at = now.toISOString();
        const entry: LedgerRecord = {
          ...record,
          status: 'pending_verification',
          updatedAt: at,
          history: [{ status: 'pending_verification', at }],
        };
        entries.set(record.requestId, entry);
        return entry;
      },
      transition: async (id, _event, options) => {
        const entry = entries.get(id) as LedgerRecord;
        const at = (options?.now ?? new Date()).toISOString();
        const history = [...entry.history, { status: 'verified' as const, at, note: options?.note }];
        entries.set(id, { ...entry, status: 'verified', history });
        return 'verified';
      },
    },
    usedTokens: {
      claim: async (marker, requestId) => {
        const first = markers.get(marker);
        if (first) return { requestId: first, first: false };
        markers.set(marker, requestId);
        return { requestId, first: true };
      },
    },
    workflow: {
      start: async (input) => {
        if (startFailures > 0) {
          startFailures -= 1;
          throw Object.assign(new Error('down'), { name: 'ServiceUnavailable' });
        }
        started.push(input);
      },
      succeed: async () => {},
      fail: async () => {},
    },
    hashingKey: async () => key,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  return { ports, entries, markers, started, failNextStart: () => (startFailures += 1) };
}

describe('one-click unsubscribe', () => {
  it('records one verified opt-out for the address and starts its workflow without verification', async () => {
    // Prepare
    const { ports, entries, started } = memoryPorts();
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());

    // Act
    const outcome = await unsubscribe(ports, token);

    // Assess
    expect(outcome).toEqual({ status: 'unsubscribed', requestId: expect.stringMatching(/-opt-out-/) });
    const entry = entries.get(outcome.requestId ?? '');
    expect(entry).toMatchObject({ type: 'opt_out', status: 'verified', contact: { email: EMAIL } });
    expect(entry?.history.at(-1)).toMatchObject({ status: 'verified', note: 'one-click unsubscribe' });
    expect(started).toEqual([{ requestId: outcome.requestId, type: 'opt_out', preVerified: true }]);
  });

  it('starts nothing new when the same link is used again after the opt-out finished', async () => {
    const { ports, entries, started } = memoryPorts();
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());
    const first = await unsubscribe(ports, token);
    const entry = entries.get(first.requestId ?? '') as LedgerRecord;
    entries.set(entry.requestId, { ...entry, status: 'completed' });

    const again = await unsubscribe(ports, token);

    expect(again).toEqual({ status: 'already_unsubscribed' });
    expect(entries.size).toBe(1);
    expect(started).toHaveLength(1);
  });

  it('keeps the link usable when the workflow could not start, and starts it on the next use', async () => {
    const { ports, entries, started, failNextStart } = memoryPorts();
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());
    failNextStart();

    await expect(unsubscribe(ports, token)).rejects.toBeInstanceOf(OptOutNotStartedError);
    const retried = await unsubscribe(ports, token);

    expect(retried).toEqual({ status: 'already_unsubscribed' });
    expect(entries.size).toBe(1);
    expect(started).toHaveLength(1);
  });

  it('refuses an expired link as expired and a tampered one as invalid, claiming nothing', async () => {
    const { ports, markers, entries } = memoryPorts();
    const expired = createUnsubscribeToken(key, EMAIL, new Date(Date.now() - 1000));
    const tampered = `${createUnsubscribeToken(key, EMAIL, inAMonth()).slice(0, -2)}xx`;

    await expect(unsubscribe(ports, expired)).rejects.toMatchObject({ reason: 'token_expired' });
    await expect(unsubscribe(ports, tampered)).rejects.toMatchObject({ reason: 'invalid_token' });
    expect(markers.size).toBe(0);
    expect(entries.size).toBe(0);
  });
});

describe('the token of an unsubscribe POST', () => {
  it('comes from the query first, else from a form (base64 or not) or a JSON body', () => {
    const form = Buffer.from('List-Unsubscribe=One-Click&token=from-form').toString('base64');
    const post = { query: undefined, body: null, contentType: '' };

    expect(
      unsubscribeTokenOf({
        ...post,
        query: 'from-query',
        body: 'List-Unsubscribe=One-Click&token=from-form',
      }),
    ).toBe('from-query');
    expect(unsubscribeTokenOf({ ...post, body: form, isBase64Encoded: true })).toBe('from-form');
    expect(unsubscribeTokenOf({ ...post, body: '{"token":"t"}', contentType: 'application/json' })).toBe('t');
  });

  it('refuses malformed JSON, unknown fields, other forms and a missing token, each with its reason', () => {
    const json = { query: undefined, contentType: 'application/json; charset=utf-8' };
    const refusal = (post: Parameters<typeof unsubscribeTokenOf>[0]) => {
      try {
        unsubscribeTokenOf(post);
      } catch (error) {
        return error instanceof RefusedError ? error.reason : 'other';
      }
      return 'accepted';
    };

    expect(refusal({ ...json, body: '{' })).toBe('invalid_json');
    expect(refusal({ ...json, body: '{"email":"a@b.c"}' })).toBe('invalid_request');
    expect(refusal({ query: undefined, body: 'List-Unsubscribe=Maybe', contentType: '' })).toBe(
      'invalid_request',
    );
    expect(refusal({ query: undefined, body: null, contentType: '' })).toBe('invalid_token');
  });
});
