/**
 * Requests that need support: stores failed for good, the workflow waits on a
 * task token, and support's decision moves the request on. Every write is
 * conditional on the status read just before, so two decisions never both land.
 */
import type { Attention, LedgerRecord, SupportDecision } from '../../core/ledger-record';
import { advance } from '../../core/lifecycle';
import type { AttentionLedger } from '../../core/ports';
import type { LedgerItems } from './conditional-write';

export class AttentionTable implements AttentionLedger {
  constructor(private readonly items: LedgerItems) {}

  async needAttention(requestId: string, attention: Attention, now = new Date()): Promise<boolean> {
    const current = await this.items.require(requestId);
    if (current.status === 'needs_attention') {
      // A retried task (same token), or a new wait after the deadline was extended: keep the rest, notice included.
      if (current.attention?.taskToken !== attention.taskToken) {
        await this.items.writeInStatus(requestId, 'SET attention.taskToken = :token, updatedAt = :at', {
          ':token': attention.taskToken,
          ':at': now.toISOString(),
          ':expected': 'needs_attention',
        });
      }
      return false;
    }
    const next = advance(current.status, 'attention');
    const at = now.toISOString();
    const stores = attention.failedStores.map((s) => s.storeId).join(', ');
    await this.items.writeInStatus(
      requestId,
      'SET #status = :next, updatedAt = :at, attention = :attention, history = list_append(if_not_exists(history, :empty), :entry)',
      {
        ':next': next,
        ':at': at,
        ':attention': attention,
        ':entry': [{ status: next, at, note: `failed for good: ${stores}`.slice(0, 200) }],
        ':empty': [],
        ':expected': current.status,
      },
    );
    return true;
  }

  async markAttentionNotified(requestId: string, now = new Date()): Promise<void> {
    await this.items.write(requestId, {
      update: 'SET attention.supportNotifiedAt = :at',
      condition: 'attribute_exists(attention)',
      values: { ':at': now.toISOString() },
    });
  }

  async decide(
    requestId: string,
    event: 'retry' | 'except' | 'fail' | 'cancel',
    decision: SupportDecision,
    extra: Pick<LedgerRecord, 'exceptions' | 'failure'> = {},
  ): Promise<void> {
    const current = await this.items.require(requestId);
    const next = advance(current.status, event);
    const sets = [
      '#status = :next',
      'updatedAt = :at',
      'attention.decision = :decision',
      'history = list_append(if_not_exists(history, :empty), :entry)',
    ];
    const values: Record<string, unknown> = {
      ':next': next,
      ':at': decision.at,
      ':decision': decision,
      ':entry': [
        {
          status: next,
          at: decision.at,
          note: `support ${decision.action} by ${decision.actor}`.slice(0, 200),
        },
      ],
      ':empty': [],
      ':expected': current.status,
    };
    // `exceptions` is a DynamoDB reserved word: both fields go by name.
    if (extra.exceptions) {
      sets.push('#exceptions = :exceptions');
      values[':exceptions'] = extra.exceptions;
    }
    if (extra.failure) {
      sets.push('#failure = :failure');
      values[':failure'] = extra.failure;
    }
    await this.items.writeInStatus(requestId, `SET ${sets.join(', ')}`, values, {
      ...(extra.exceptions ? { '#exceptions': 'exceptions' } : {}),
      ...(extra.failure ? { '#failure': 'failure' } : {}),
    });
  }
}
