import { resetRateLimiter } from '../../functions/aws/rate-limit';
import { keyedHash } from '../../functions/core/crypto';
import {
  apiEvent,
  fakeLedger,
  mockDocumentClient,
  setTestEnvironment,
  TEST_KEY_HEX,
} from '../support/http-support';
import { lambdaContext } from '../support/lambda-context';

setTestEnvironment();
const status =
  require('../../functions/http/get-request-status') as typeof import('../../functions/http/get-request-status');

const ddb = mockDocumentClient();
const key = Buffer.from(TEST_KEY_HEX, 'hex');
const requestId = '20260101-delete-partnersab';
const STATUS_TOKEN = 'status-token-for-partner-tests-0123';
let ledger: ReturnType<typeof fakeLedger>;

const processor = (processorId: string, name: string, over: Record<string, unknown>) => ({
  processorId,
  name,
  type: 'delete',
  idempotencyKey: `${requestId}:${processorId}:delete`,
  deadline: '2026-01-04T00:00:00.000Z',
  notifiedAt: '2026-01-01T00:10:00.000Z',
  attempts: [],
  ...over,
});

beforeEach(() => {
  resetRateLimiter(() => new Date('2026-01-01T00:00:00.000Z'));
  ledger = fakeLedger(ddb);
  ledger.set(requestId, {
    requestId,
    type: 'delete',
    status: 'in_progress',
    jurisdiction: 'ID',
    locale: 'en',
    receivedAt: '2026-01-01T00:00:00.000Z',
    dueAt: '2026-01-04T00:00:00.000Z',
    updatedAt: '2026-01-01T00:10:00.000Z',
    subjectHash: 'h',
    statusTokenHash: keyedHash(key, 'status-token', STATUS_TOKEN),
    stores: { logistics: { status: 'completed' }, payments: { status: 'escalated' } },
    processors: {
      payments: processor('payments', 'BayarKu Payment Gateway', {
        status: 'escalated',
        escalation: { at: '2026-01-04T00:00:00.000Z', reason: 'deadline_passed' },
        taskToken: 'task-token-never-shown',
      }),
      logistics: processor('logistics', 'Kirim Cepat Logistics', {
        status: 'acknowledged',
        ack: {
          at: '2026-01-01T00:10:01.000Z',
          via: 'response',
          status: 'completed',
          reference: 'KCL-7F3A9C',
        },
      }),
    },
    history: [{ status: 'in_progress', at: '2026-01-01T00:10:00.000Z' }],
  });
});
afterEach(() => ddb.reset());

describe('GET /requests/{requestId} with partners', () => {
  it('shows each partner told by name with its progress, and an escalated partner as escalated, without references or task tokens', async () => {
    const res = await status.handler(
      apiEvent({
        resource: '/requests/{requestId}',
        pathParameters: { requestId },
        headers: { Authorization: `Bearer ${STATUS_TOKEN}` },
      }),
      lambdaContext(),
    );

    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.processors).toEqual([
      { processorId: 'logistics', name: 'Kirim Cepat Logistics', status: 'acknowledged' },
      { processorId: 'payments', name: 'BayarKu Payment Gateway', status: 'escalated' },
    ]);
    expect(body.stores).toContainEqual({ storeId: 'payments', status: 'escalated' });
    expect(res.body).not.toContain('KCL-7F3A9C');
    expect(res.body).not.toContain('task-token-never-shown');
  });
});
