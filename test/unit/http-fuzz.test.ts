/**
 * Property-based tests of the API boundary: random and hostile bodies,
 * headers, path parameters and query strings at every route in the route
 * table, against the real handlers over an in-memory ledger. Plus the S3 key
 * builders: no key ever leaves its prefix.
 */
import path from 'node:path';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { keyedHash } from '../../functions/core/crypto';
import {
  apiEvent,
  fakeLedger,
  type Item,
  mockDocumentClient,
  setTestEnvironment,
  TEST_KEY_HEX,
} from '../support/http-support';
import { lambdaContext } from '../support/lambda-context';
import { withResendSupport } from '../support/resend-ledger';

setTestEnvironment();
Object.assign(process.env, {
  DSR_RATE_LIMIT_TABLE: 'dsr-rate-limits',
  DSR_IDEMPOTENCY_TABLE: 'dsr-idempotency',
});

const ROOT = path.resolve(__dirname, '..', '..');
const { HTTP_FUNCTIONS, ROUTES } =
  require('../../functions/deployment') as typeof import('../../functions/deployment');
const keys = require('../../functions/core/export/keys') as typeof import('../../functions/core/export/keys');
const { subjectPrefix } =
  require('../../functions/connectors/s3') as typeof import('../../functions/connectors/s3');

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const handlers = Object.fromEntries(
  Object.entries(HTTP_FUNCTIONS).map(([name, fn]) => [
    name,
    (require(path.join(ROOT, fn.entry)) as { handler: Handler }).handler,
  ]),
) as Record<string, Handler>;

const ddb = mockDocumentClient();
const rawDdb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const ses = mockClient(SESv2Client);
// Pre-signing needs no call; any other S3 call gets the mock's empty answer.
mockClient(S3Client);
const key = Buffer.from(TEST_KEY_HEX, 'hex');
let ledger: Map<string, Item>;

const PENDING = '20260101-access-abcdefghij';
const SCHEDULED = '20260101-delete-abcdefghij';
const COMPLETED = '20260101-access-zyxwvutsrq';
const TOKEN = 'a-real-looking-token-0123456789abcdef';

/** A fresh ledger with one request in each interesting state; every token in it is TOKEN. */
function resetWorld(): void {
  ddb.reset();
  ledger = fakeLedger(ddb);
  withResendSupport(ddb, ledger);
  // Counters never reach a limit here: the limits have their own tests.
  ddb.on(UpdateCommand, { TableName: 'dsr-rate-limits' }).resolves({ Attributes: { hits: 1 } });
  const base = {
    jurisdiction: 'ID',
    locale: 'en',
    receivedAt: '2026-01-01T00:00:00.000Z',
    dueAt: '2026-01-04T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    subjectHash: keyedHash(key, 'subject', 'fuzz@example.com'),
    statusTokenHash: keyedHash(key, 'status-token', TOKEN),
    contact: { email: 'fuzz@example.com' },
    history: [{ status: 'pending_verification', at: '2026-01-01T00:00:00.000Z' }],
  };
  ledger.set(PENDING, {
    ...base,
    requestId: PENDING,
    type: 'access',
    status: 'pending_verification',
    verification: {
      codeHash: keyedHash(key, 'verification-code', '123456'),
      linkTokenHash: keyedHash(key, 'verification-link', TOKEN),
      attempts: 0,
      taskToken: 'task-token',
      sentAt: '2026-01-01T00:00:00.000Z',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    },
  });
  ledger.set(SCHEDULED, {
    ...base,
    requestId: SCHEDULED,
    type: 'delete',
    status: 'scheduled',
    erasureSchedule: {
      graceEndsAt: new Date(Date.now() + 600_000).toISOString(),
      cancelTokenHash: keyedHash(key, 'cancel-token', TOKEN),
    },
  });
  ledger.set(COMPLETED, {
    ...base,
    requestId: COMPLETED,
    type: 'access',
    status: 'completed',
    exportInfo: {
      key: `exports/${COMPLETED}/export.zip`,
      tokenHash: keyedHash(key, 'export-token', TOKEN),
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      downloads: 0,
    },
  });
}

beforeAll(() => {
  rawDdb.on(PutItemCommand).resolves({});
  rawDdb.on(UpdateItemCommand).resolves({});
  rawDdb.on(DeleteItemCommand).resolves({});
  rawDdb.on(GetItemCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution', startDate: new Date() });
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
});

// ---- generators ------------------------------------------------------------

const HOSTILE_STRINGS = [
  '',
  ' ',
  '..',
  '../',
  '../../etc/passwd',
  '..%2f..%2f',
  '%00',
  '\u0000',
  'a/b',
  '\r\nX-Injected: 1',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style probe, literally.
  '${jndi:ldap://x}',
  '__proto__',
  'constructor',
  '😀'.repeat(50),
  'x'.repeat(5000),
  `${PENDING}/../${COMPLETED}`,
  PENDING.toUpperCase(),
  `${PENDING} `,
];

const anyText = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

const requestIdParam = fc.oneof(
  fc.constantFrom(PENDING, SCHEDULED, COMPLETED),
  fc.stringMatching(/^[0-9]{8}-(access|delete|opt-out)-[a-z2-7]{10}$/),
  anyText,
);

const tokenValue = fc.oneof(
  fc.constant(TOKEN),
  fc.constant('123456'),
  anyText,
  fc.base64String({ maxLength: 60 }),
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
  'APPLICATION/JSON',
];

const headersArb = fc
  .record(
    {
      'content-type': fc.oneof(fc.constantFrom(...CONTENT_TYPES), anyText),
      authorization: fc.oneof(
        tokenValue.map((t) => `Bearer ${t}`),
        anyText,
      ),
      'idempotency-key': fc.oneof(fc.uuid(), anyText),
      'x-forwarded-for': anyText,
      cookie: anyText,
    },
    { requiredKeys: [] },
  )
  .chain((known) =>
    fc
      .dictionary(fc.string({ minLength: 1, maxLength: 20 }), anyText, { maxKeys: 3 })
      .map((extra) => ({ ...extra, ...known })),
  );

const queryArb = fc.oneof(
  fc.constant(null),
  fc.record({ token: tokenValue }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 10 }), anyText, { maxKeys: 3 }),
);

/** Bodies shaped like what the routes expect, with the wrong types, extra keys and hostile values mixed in. */
const shapedBody = fc.record(
  {
    type: fc.oneof(fc.constantFrom('access', 'delete', 'opt_out', 'ACCESS', 'export'), anyText, fc.integer()),
    email: fc.oneof(
      fc.emailAddress(),
      fc.constantFrom('a@b', 'Person@Example.COM', 'x@example.com\r\nBcc: y@example.com', ' @example.com'),
      anyText,
      fc.integer(),
    ),
    fullName: fc.oneof(anyText, fc.constant('Line one\nLine two'), fc.array(anyText, { maxLength: 2 })),
    phone: fc.oneof(anyText, fc.constantFrom('+62 812 0000 0000', '+1 (555) 010-9999')),
    jurisdiction: fc.oneof(fc.constantFrom('ID', 'EU', 'US-CA', 'XX'), anyText),
    locale: fc.oneof(fc.constantFrom('en', 'id', 'fr'), anyText),
    code: fc.oneof(fc.stringMatching(/^[0-9]{6}$/), anyText, fc.integer()),
    token: tokenValue,
    constructor: anyText,
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

const bodyArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: anyText },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 4, arbitrary: shapedBody.map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: shapedBody.map((v) =>
      new URLSearchParams(
        // JSON text, not String(): a generated object may carry a `toString` key that is no function.
        Object.entries(v).map(([k, x]): [string, string] => [
          k,
          typeof x === 'string' ? x : (JSON.stringify(x) ?? ''),
        ]),
      ).toString(),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constant(JSON.stringify({ type: 'access', email: `${'a'.repeat(17_000)}@example.com` })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{',
      '{"type":',
      '[]',
      'null',
      '1e999',
      '"x"',
      '{"a":1}{"b":2}',
      '{"__proto__":{"polluted":true},"type":"access","email":"proto@example.com"}',
      '{"constructor":{"prototype":{"polluted":true}},"code":"123456"}',
    ),
  },
);

const eventParts = fc.record({
  requestId: fc.option(requestIdParam, { nil: undefined }),
  headers: headersArb,
  query: queryArb,
  body: bodyArb,
  base64: fc.boolean(),
});

type Parts = typeof eventParts extends fc.Arbitrary<infer T> ? T : never;

function eventFor(route: (typeof ROUTES)[number], parts: Parts): APIGatewayProxyEvent {
  const hasParam = route.path.includes('{requestId}');
  const body = route.method === 'POST' || parts.base64 ? parts.body : null;
  return apiEvent({
    resource: route.path,
    path: route.path.replace('{requestId}', encodeURIComponent(parts.requestId ?? '')),
    httpMethod: route.method,
    headers: parts.headers,
    pathParameters: hasParam && parts.requestId !== undefined ? { requestId: parts.requestId } : null,
    queryStringParameters: parts.query as APIGatewayProxyEvent['queryStringParameters'],
    body: body !== null && parts.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: body !== null && parts.base64,
  });
}

/** What a 4xx must look like: JSON `{error, message}` or an HTML page, naming the problem in words. */
function expectExplained(res: APIGatewayProxyResult): void {
  const type = String(res.headers?.['content-type'] ?? res.headers?.['Content-Type'] ?? '');
  if (type.startsWith('application/json')) {
    const body = JSON.parse(res.body) as { error?: unknown; message?: unknown };
    expect(typeof body.message).toBe('string');
    expect((body.message as string).length).toBeGreaterThan(5);
  } else {
    expect(type).toMatch(/^text\/html/);
    expect(res.body.replace(/<[^>]+>/g, ' ').trim().length).toBeGreaterThan(10);
  }
}

// ---- properties ------------------------------------------------------------

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

describe('every route, given random and hostile input', () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s never answers 5xx, explains every 4xx and records nothing from a rejected request',
    async (_name, route) => {
      const handler = handlers[route.functionName];
      expect(handler).toBeDefined();
      await fc.assert(
        fc.asyncProperty(eventParts, async (parts) => {
          resetWorld();
          const before = new Map([...ledger].map(([id, item]) => [id, JSON.stringify(item)]));
          const res = await (handler as Handler)(eventFor(route, parts), lambdaContext());

          expect(res.statusCode).toBeGreaterThanOrEqual(200);
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expectExplained(res);
            // A rejected request creates no ledger entry.
            expect([...ledger.keys()].sort()).toEqual([...before.keys()].sort());
          }
          if (route.path === '/requests' && res.statusCode >= 400) {
            expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
          }
          sfn.resetHistory();
        }),
        { numRuns: RUNS },
      );
    },
    60_000,
  );
});

describe('S3 key builders, given any input', () => {
  const segmentsSafe = (k: string) =>
    k.split('/').every((segment) => segment !== '..' && segment !== '.') &&
    !k.includes('\\') &&
    !k.includes('\u0000') &&
    !k.startsWith('/');

  const idArb = fc.oneof(fc.stringMatching(/^[0-9]{8}-(access|delete|opt-out)-[a-z2-7]{10}$/), anyText);
  const storeArb = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{1,40}$/), anyText);
  const nameArb = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,30}$/), anyText);

  /** The builder's key for valid parts, or `undefined` when it refused them with UnsafeExportKeyError. */
  function built(build: () => string): string | undefined {
    try {
      return build();
    } catch (error) {
      expect(error).toBeInstanceOf(keys.UnsafeExportKeyError);
      return undefined;
    }
  }

  it("never builds an export key outside the request's prefix or with a '..' segment", () => {
    fc.assert(
      fc.property(idArb, storeArb, nameArb, (requestId, storeId, name) => {
        for (const k of [
          built(() => keys.storeExportKey(requestId, storeId)),
          built(() => keys.attachmentKey(requestId, storeId, name)),
          built(() => keys.exportZipKey(requestId)),
        ]) {
          if (k === undefined) continue;
          expect(k.startsWith(`exports/${requestId}/`)).toBe(true);
          expect(segmentsSafe(k)).toBe(true);
        }
        const attachment = built(() => keys.attachmentKey(requestId, storeId, name));
        if (attachment !== undefined) {
          expect(attachment).toBe(`exports/${requestId}/stores/${storeId}/files/${name}`);
        }
      }),
      { numRuns: 600 },
    );
  });

  it("never builds an erasure or certificate key outside the request's prefix", () => {
    fc.assert(
      fc.property(
        idArb,
        storeArb,
        fc.oneof(
          fc.constant(undefined),
          anyText,
          fc.date().map((d) => `retention-${Number.isNaN(d.getTime()) ? 'x' : d.toISOString().slice(0, 10)}`),
        ),
        (requestId, storeId, run) => {
          for (const k of [
            built(() => keys.erasureDecisionsKey(requestId, storeId, run)),
            built(() => keys.erasureSummaryKey(requestId, storeId, run)),
          ]) {
            if (k === undefined) continue;
            expect(k.startsWith(`erasure/${requestId}/`)).toBe(true);
            expect(k.includes('..')).toBe(false);
            expect(segmentsSafe(k)).toBe(true);
          }
          for (const k of [
            built(() => keys.certificateJsonKey(requestId)),
            built(() => keys.certificateHtmlKey(requestId)),
          ]) {
            if (k === undefined) continue;
            expect(k.startsWith(`certificates/${requestId}/`)).toBe(true);
            expect(k.includes('..')).toBe(false);
          }
        },
      ),
      { numRuns: 600 },
    );
  });

  it('turns any attachment name into one safe file name that stays in its folder', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ unit: 'grapheme', maxLength: 200 })), (original) => {
        const name = keys.sanitiseFileName(original);
        expect(keys.ExportFileName.safeParse(name).success).toBe(true);
        expect(name).not.toMatch(/[/\\]/);
        expect(name.startsWith('.')).toBe(false);
        const k = keys.attachmentKey(PENDING, 'documents', name);
        expect(k.startsWith(`exports/${PENDING}/stores/documents/files/`)).toBe(true);
        expect(segmentsSafe(k)).toBe(true);
      }),
      { numRuns: 600 },
    );
  });

  it("never lets an identity value leave a store's subject prefix", () => {
    const templates = [
      'activity/{customerId}/',
      'documents/{customerId}/',
      'by-email/{email}/',
      'p/{phone}/',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...templates),
        fc.oneof(fc.emailAddress(), fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), anyText),
        (template, value) => {
          let prefix: string;
          try {
            prefix = subjectPrefix(template, value);
          } catch (error) {
            expect((error as Error).name).toMatch(/InvalidIdentity/);
            // The refusal never echoes the value (it may be an email or phone number).
            if (value.trim().length >= 8) expect((error as Error).message).not.toContain(value);
            return;
          }
          const [head, tail] = template.split(/\{[a-zA-Z]+\}/) as [string, string];
          expect(prefix).toBe(`${head}${value}${tail}`);
          expect(prefix.includes('..')).toBe(false);
          expect(prefix.split('/')).toHaveLength(template.split('/').length);
          expect(segmentsSafe(prefix)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
