/**
 * The suppression list and SES contact-list preferences: what makes an opt-out
 * stick after the request is finished. Entries are keyed by the keyed hash of
 * the subject's email, so the table never holds an address.
 */
import {
  AlreadyExistsException,
  CreateContactCommand,
  NotFoundException,
  type SESv2Client,
  type TopicPreference,
  UpdateContactCommand,
} from '@aws-sdk/client-sesv2';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keyedHash } from '../core/crypto';
import type { ConsentPurpose } from '../core/data-map';
import type { PreferenceList, UsedUnsubscribeTokens } from '../core/ports';
import { subjectLookupForm } from '../core/request';
import * as z from '../core/zod';
import { dynamoDbClient, secretsClient } from './clients';
import { ENV, loadConfig } from './config';
import { isConditionFailure, withTransient } from './errors';
import { loadHashingKey } from './secrets';

/** Marketing channels an opt-out stops (the demo data map's consent fields map onto these). */
export const MARKETING_CHANNELS = ['email', 'whatsapp', 'sms', 'advertising'] as const;
export type MarketingChannel = (typeof MARKETING_CHANNELS)[number];

export interface SuppressionRecord {
  readonly requestId: string;
  /** ISO 8601 time of the opt-out. */
  readonly at: string;
  readonly channels: readonly MarketingChannel[];
}

/** The suppression table is not configured for this function. Not retried: the deployment needs fixing. */
export class SuppressionNotConfiguredError extends Error {
  override readonly name = 'SuppressionNotConfigured';
}

/** Subject hashes are hex; other keys in the table (one-click token markers, `token#…`) are never subjects. */
const SUBJECT_HASH = /^[0-9a-f]{64}$/;

/** Adapter over the suppression table (`SUPPRESSION_TABLE`, partition key `subjectHash`). */
export class SuppressionList implements UsedUnsubscribeTokens, PreferenceList {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Adds (or refreshes) a subject's entry. Idempotent: the first opt-out time
   * stays, channels accumulate, and the latest request id is kept as evidence.
   */
  async suppress(subjectHash: string, record: SuppressionRecord): Promise<void> {
    if (!SUBJECT_HASH.test(subjectHash)) throw new Error('suppress needs a subject hash');
    if (record.channels.length === 0) throw new Error('suppress needs at least one channel');
    await withTransient(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { subjectHash },
          UpdateExpression:
            'SET suppressedAt = if_not_exists(suppressedAt, :at), lastOptOutAt = :at, lastRequestId = :rid ADD channels :channels, requestIds :rids',
          ExpressionAttributeValues: {
            ':at': record.at,
            ':rid': record.requestId,
            ':channels': new Set(record.channels),
            ':rids': new Set([record.requestId]),
          },
        }),
      ),
    );
  }

  /**
   * Marks a one-click unsubscribe token used (conditional put of its marker,
   * `token#<keyed hash>`), naming the request it starts. If it was used
   * before, the request id of that first use comes back with `first: false`.
   */
  async claim(
    marker: string,
    requestId: string,
    now: Date,
  ): Promise<{ readonly requestId: string; readonly first: boolean }> {
    try {
      await withTransient(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { subjectHash: marker, requestId, usedAt: now.toISOString() },
            ConditionExpression: 'attribute_not_exists(subjectHash)',
          }),
        ),
      );
      return { requestId, first: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const out = await withTransient(() =>
      this.db.send(
        new GetCommand({ TableName: this.tableName, Key: { subjectHash: marker }, ConsistentRead: true }),
      ),
    );
    const previous = z.object({ requestId: z.string().check(z.minLength(1)) }).safeParse(out.Item);
    if (!previous.success) throw new Error('the used-token marker names no request');
    return { requestId: previous.data.requestId, first: false };
  }

  /** Processing restricted: `restricted` true, the latest request as evidence; the restriction it replaces. */
  async restrict(subjectHash: string, evidence: { readonly requestId: string; readonly at: string }) {
    return this.setRestricted(subjectHash, true, evidence);
  }

  /** The restriction lifted: `restricted` false, with the lifting request as evidence; the restriction it ends. */
  async lift(subjectHash: string, evidence: { readonly requestId: string; readonly at: string }) {
    return this.setRestricted(subjectHash, false, evidence);
  }

  /** The request of the restriction that stands, if any. */
  async currentRestriction(subjectHash: string): Promise<string | undefined> {
    const item = await this.entry(subjectHash, 'restricted, restrictionRequestId');
    return item?.restricted === true && typeof item.restrictionRequestId === 'string'
      ? item.restrictionRequestId
      : undefined;
  }

  private async setRestricted(
    subjectHash: string,
    restricted: boolean,
    evidence: { readonly requestId: string; readonly at: string },
  ): Promise<string | undefined> {
    if (!SUBJECT_HASH.test(subjectHash)) throw new Error('a restriction needs a subject hash');
    const out = await withTransient(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { subjectHash },
          UpdateExpression: 'SET restricted = :r, restrictionChangedAt = :at, restrictionRequestId = :rid',
          ExpressionAttributeValues: { ':r': restricted, ':at': evidence.at, ':rid': evidence.requestId },
          ReturnValues: 'UPDATED_OLD',
        }),
      ),
    );
    const before = out.Attributes;
    // A retry of the same request finds itself: nothing stood before it.
    return before?.restricted === true &&
      typeof before.restrictionRequestId === 'string' &&
      before.restrictionRequestId !== evidence.requestId
      ? before.restrictionRequestId
      : undefined;
  }

  /** Consent withdrawn for `purposes` (they accumulate), with the latest request as evidence. */
  async withdraw(
    subjectHash: string,
    purposes: readonly ConsentPurpose[],
    evidence: { readonly requestId: string; readonly at: string },
  ): Promise<void> {
    if (!SUBJECT_HASH.test(subjectHash)) throw new Error('a withdrawal needs a subject hash');
    if (purposes.length === 0) throw new Error('a withdrawal needs at least one purpose');
    await withTransient(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { subjectHash },
          UpdateExpression: 'SET withdrawnAt = :at, withdrawalRequestId = :rid ADD withdrawnPurposes :p',
          ExpressionAttributeValues: {
            ':at': evidence.at,
            ':rid': evidence.requestId,
            ':p': new Set(purposes),
          },
        }),
      ),
    );
  }

  /** The subject's entry (strongly consistent: a sign-up right after a request sees it), or undefined. */
  private async entry(subjectHash: string, projection = 'suppressedAt, restricted, withdrawnPurposes') {
    if (!SUBJECT_HASH.test(subjectHash)) return undefined;
    const out = await withTransient(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { subjectHash },
          ConsistentRead: true,
          ProjectionExpression: projection,
        }),
      ),
    );
    return out.Item;
  }

  /** True when `channel` is among the entry's suppressed channels. */
  async hasChannel(hash: string, channel: MarketingChannel): Promise<boolean> {
    if (!SUBJECT_HASH.test(hash)) return false;
    const out = await withTransient(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { subjectHash: hash },
          ConsistentRead: true,
          ProjectionExpression: 'channels',
        }),
      ),
    );
    return (out.Item?.channels as Set<string> | undefined)?.has(channel) ?? false;
  }

  /** True while processing is restricted. */
  async isRestrictedHash(subjectHash: string): Promise<boolean> {
    return (await this.entry(subjectHash))?.restricted === true;
  }

  /** True when consent for `purpose` is withdrawn (for marketing: also an opt-out, or a restriction). */
  async isWithdrawnHash(subjectHash: string, purpose: ConsentPurpose): Promise<boolean> {
    const item = await this.entry(subjectHash);
    if (!item) return false;
    if (purpose === 'marketing' && (typeof item.suppressedAt === 'string' || item.restricted === true))
      return true;
    return (item.withdrawnPurposes as Set<string> | undefined)?.has(purpose) ?? false;
  }

  /**
   * True when no marketing may reach the subject: opted out, marketing consent
   * withdrawn, or processing restricted (marketing stops while restricted).
   */
  async isSuppressedHash(subjectHash: string): Promise<boolean> {
    return this.isWithdrawnHash(subjectHash, 'marketing');
  }
}

let list: SuppressionList | undefined;

/** The suppression list of this deployment (setting `suppressionTable`), or `SuppressionNotConfigured`. */
export function suppressionList(): SuppressionList {
  if (list) return list;
  const table = loadConfig().suppressionTable;
  if (!table) throw new SuppressionNotConfiguredError(`${ENV.suppressionTable} is not set`);
  list = new SuppressionList(dynamoDbClient(), table);
  return list;
}

/** For tests that change the environment between cases. */
export function resetSuppressionList(): void {
  list = undefined;
}

/** The suppression key of a phone number (E.164): WhatsApp and SMS entries are kept under it. */
export function phoneSuppressionHash(key: Buffer, phone: string): string {
  return keyedHash(key, 'phone', phone);
}

/** Whether WhatsApp or SMS marketing to this phone number (E.164) is suppressed. */
export async function isSuppressedPhone(
  phone: string,
  channel: 'whatsapp' | 'sms',
  deps?: { readonly list: SuppressionList; readonly key: Buffer },
): Promise<boolean> {
  const key = deps?.key ?? (await loadHashingKey(loadConfig(), secretsClient));
  return (deps?.list ?? suppressionList()).hasChannel(phoneSuppressionHash(key, phone), channel);
}

/** The suppression key of an email: the same keyed hash the ledger stores as `subjectHash`. */
export function suppressionHash(key: Buffer, email: string): string {
  return keyedHash(key, 'subject', subjectLookupForm(email));
}

/**
 * Whether this address has opted out of marketing: what a sign-up or import
 * flow asks before it records consent or sends marketing. Compares keyed
 * hashes only, so the address is never stored or logged.
 */
export async function isSuppressed(
  email: string,
  deps?: { readonly list: SuppressionList; readonly key: Buffer },
): Promise<boolean> {
  const key = deps?.key ?? (await loadHashingKey(loadConfig(), secretsClient));
  return (deps?.list ?? suppressionList()).isSuppressedHash(suppressionHash(key, email));
}

/** Whether processing of this address's data is restricted (UU PDP Art. 41): what other systems ask before using it. */
export async function isRestricted(
  email: string,
  deps?: { readonly list: SuppressionList; readonly key: Buffer },
): Promise<boolean> {
  const key = deps?.key ?? (await loadHashingKey(loadConfig(), secretsClient));
  return (deps?.list ?? suppressionList()).isRestrictedHash(suppressionHash(key, email));
}

/** Whether this address withdrew its consent to `purpose` (UU PDP Art. 40). */
export async function isWithdrawn(
  email: string,
  purpose: ConsentPurpose,
  deps?: { readonly list: SuppressionList; readonly key: Buffer },
): Promise<boolean> {
  const key = deps?.key ?? (await loadHashingKey(loadConfig(), secretsClient));
  return (deps?.list ?? suppressionList()).isWithdrawnHash(suppressionHash(key, email), purpose);
}

export interface ContactListOptOut {
  readonly contactListName: string;
  /** Topics to set to OPT_OUT explicitly; `UnsubscribeAll` covers the list's other topics as well. */
  readonly topics: readonly string[];
  readonly email: string;
}

/**
 * Sets the subject's preferences in an SES v2 contact list to opt-out: every
 * named topic `OPT_OUT` and `UnsubscribeAll`, so SES list management stops
 * marketing mail even from tools outside this system. A contact the list does
 * not know yet is created already opted out (a later import cannot opt it in
 * without overwriting an explicit preference).
 */
export async function optOutOfContactList(ses: SESv2Client, input: ContactListOptOut): Promise<void> {
  const TopicPreferences: TopicPreference[] = input.topics.map((TopicName) => ({
    TopicName,
    SubscriptionStatus: 'OPT_OUT',
  }));
  const prefs = {
    ContactListName: input.contactListName,
    EmailAddress: input.email,
    TopicPreferences,
    UnsubscribeAll: true,
  };
  const update = () => withTransient(() => ses.send(new UpdateContactCommand(prefs)));
  try {
    await update();
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
    try {
      await withTransient(() => ses.send(new CreateContactCommand(prefs)));
    } catch (createError) {
      // Created concurrently (a retry, or an import): update the contact that now exists.
      if (!(createError instanceof AlreadyExistsException)) throw createError;
      await update();
    }
  }
}
