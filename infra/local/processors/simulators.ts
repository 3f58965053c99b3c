/**
 * Two demo processors on one local HTTP server: what a logistics company and a
 * payment gateway would run to receive our DSR webhooks. Each verifies our
 * signature, answers a repeated idempotency key with its first answer, acts
 * on what it holds, and acknowledges in its response or later through our
 * signed callback route. Everything it received is listed as JSON.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ProcessorRequest } from '../../../functions/core/processors/protocol';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  signProcessorBody,
  TIMESTAMP_HEADER,
  verifyProcessorSignature,
} from '../../../functions/core/processors/signature';
import { BodyTooLarge, readBody } from '../http-server';
import { Behaviour, BehaviourChange, defaultBehaviour } from './behaviour';
import { HoldingsBook, type ProcessorAction, ProcessorHolding, type ProcessorRole } from './holdings';

/** A processor as the simulators run it. */
export interface SimulatedProcessor {
  /** The processor's store id in the data map (also its id in URLs). */
  readonly id: string;
  readonly name: string;
  readonly role: ProcessorRole;
}

export interface ProcessorSimulatorOptions {
  /** 0 = any free port. */
  readonly port: number;
  /** Holdings go to `<dataDir>/processors/<id>.json`. */
  readonly dataDir: string;
  readonly processors: readonly SimulatedProcessor[];
  /** The HMAC secret shared with processor `id` (read at each use, so it may be created after start). */
  readonly secretOf: (id: string) => Buffer;
  /** The DSR API's base URL; callbacks go to `<it>/processors/<id>/callback`. */
  readonly callbackBaseUrl: () => string;
  /** Receives lines with processor ids, request types and statuses only. */
  readonly log?: (line: string) => void;
}

/** One delivery a processor received, as the processor saw it (fake demo data only). */
export interface Received {
  readonly at: string;
  readonly idempotencyKey: string;
  readonly signatureValid: boolean;
  /** A repeated idempotency key, answered with the first answer. */
  readonly duplicate: boolean;
  /** null when the body was not a valid request (or the signature was refused first). */
  readonly request: ProcessorRequest | null;
  readonly response: { readonly status: number; readonly body: unknown };
  /** The asynchronous acknowledgement, once sent: the API's HTTP status, or the error's name. */
  callback?: { at: string; status?: number; error?: string };
}

export interface ProcessorSimulators {
  /** Base URL, e.g. `http://127.0.0.1:3100`; a processor's webhook is `<url>/processors/<id>/dsr`. */
  readonly url: string;
  readonly port: number;
  readonly processors: readonly SimulatedProcessor[];
  ids(): string[];
  /** Changes how processor `id` answers from now on; returns the whole behaviour now in effect. */
  setBehaviour(id: string, change: Partial<Behaviour>): Behaviour;
  /** Back to the processor's default behaviour. */
  reset(id: string): Behaviour;
  behaviour(id: string): Behaviour;
  received(id: string): Received[];
  /** Gives processor `id` records about a subject (demo data); also `POST /processors/<id>/holdings`. */
  plant(id: string, holding: ProcessorHolding): void;
  holdings(id: string): ProcessorHolding[];
  /** Sends the callbacks the partners still owed when the last run stopped (call once the API answers). */
  resumeCallbacks(): void;
  /** Waits until the holdings are on disk. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** The webhook path of processor `id` on the simulators' server. */
export const webhookPath = (id: string) => `/partners/${encodeURIComponent(id)}/dsr`;

const REFERENCE_PREFIX: Record<ProcessorRole, string> = { logistics: 'KCL', payments: 'BYK' };
const MAX_REQUEST_BYTES = 256 * 1024;
/** How often a callback answered with a 5xx or 429 (or not at all) is sent. */
const CALLBACK_ATTEMPTS = 5;
const CALLBACK_TIMEOUT_MS = 10_000;
/** The `received` listing keeps the latest deliveries only, so a long `npm start` stays small. */
const MAX_RECEIVED = 1000;

interface ProcessorState {
  readonly processor: SimulatedProcessor;
  readonly book: HoldingsBook;
  /** `<dataDir>/partners/<id>.deliveries.jsonl`: what it received and the callbacks it still owes. */
  readonly deliveries: string;
  behaviour: Behaviour;
  readonly received: Received[];
  /** Idempotency key → the first successful answer, replayed for repeats. */
  readonly answers: Map<string, { status: number; body: unknown }>;
}

const readRaw = (req: IncomingMessage) => readBody(req, MAX_REQUEST_BYTES);

/** The body as JSON; `undefined` when it is not JSON (the schema then refuses it). */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readRaw(req);
  try {
    return JSON.parse(raw || '{}');
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body, null, 2));
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Unref'd: a slow answer still pending never keeps a stopping process alive. */
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

type DeliveryLine =
  | { readonly received: Received }
  | { readonly owes: string; readonly callback: Record<string, unknown> }
  | { readonly settled: string; readonly status: number };

/** Appended before the partner answers or calls back, so a killed `npm start` loses none of it. */
function appendDelivery(state: ProcessorState, line: DeliveryLine): void {
  appendFileSync(state.deliveries, `${JSON.stringify(line)}\n`, { mode: 0o600 });
}

/** Reads back what the partner received (its answers by idempotency key) and the callbacks it still owes. */
function recoverDeliveries(
  state: ProcessorState,
): { state: ProcessorState; entry: Received; body: Record<string, unknown> }[] {
  if (!existsSync(state.deliveries)) return [];
  const owes = new Map<string, Record<string, unknown>>();
  for (const text of readFileSync(state.deliveries, 'utf8').split('\n')) {
    let line: DeliveryLine;
    try {
      line = JSON.parse(text) as DeliveryLine;
    } catch {
      continue; // blank, or torn by a kill mid-write
    }
    if ('received' in line) {
      const entry = line.received;
      state.received.push(entry);
      if (!entry.duplicate && entry.request && entry.response.status < 300)
        state.answers.set(entry.idempotencyKey, entry.response);
    } else if ('owes' in line) owes.set(line.owes, line.callback);
    else owes.delete(line.settled);
  }
  state.received.splice(0, Math.max(0, state.received.length - MAX_RECEIVED));
  return [...owes].flatMap(([key, body]) => {
    const entry = state.received.find((r) => r.idempotencyKey === key && !r.duplicate);
    return entry ? [{ state, entry, body }] : [];
  });
}

/** Starts the simulators; see `ProcessorSimulatorOptions`. */
export async function startProcessorSimulators(
  options: ProcessorSimulatorOptions,
): Promise<ProcessorSimulators> {
  const log = options.log ?? (() => undefined);
  const states = new Map<string, ProcessorState>();
  mkdirSync(path.join(options.dataDir, 'partners'), { recursive: true, mode: 0o700 });
  for (const processor of options.processors) {
    const book = new HoldingsBook(path.join(options.dataDir, 'partners', `${processor.id}.json`));
    await book.load();
    const deliveries = path.join(options.dataDir, 'partners', `${processor.id}.deliveries.jsonl`);
    states.set(processor.id, {
      processor,
      book,
      deliveries,
      behaviour: defaultBehaviour(processor.role),
      received: [],
      answers: new Map(),
    });
  }
  /** Callbacks owed when the last run stopped (a partner outlives our restarts), by processor. */
  const owed: { state: ProcessorState; entry: Received; body: Record<string, unknown> }[] = [];
  for (const state of states.values()) owed.push(...recoverDeliveries(state));
  const stateOf = (id: string): ProcessorState => {
    const state = states.get(id);
    if (!state) throw new Error(`no simulated partner ${id}`);
    return state;
  };

  // Pending callbacks: cancelled on stop, so nothing calls a stopped API.
  const timers = new Set<NodeJS.Timeout>();
  const aborts = new Set<AbortController>();
  let stopped = false;

  /**
   * Posts the signed callback; on a 5xx, a 429 or a network error it tries again
   * (5 times, backing off, signed afresh), as a partner's webhook client would.
   */
  async function sendCallback(state: ProcessorState, entry: Received, body: Record<string, unknown>) {
    for (let attempt = 1; attempt <= CALLBACK_ATTEMPTS && !stopped; attempt++) {
      const status = await postCallback(state, entry, body);
      if (status !== undefined && status < 500 && status !== 429) {
        appendDelivery(state, { settled: entry.idempotencyKey, status });
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200 * 2 ** attempt);
        timers.add(timer);
      });
    }
  }

  async function postCallback(
    state: ProcessorState,
    entry: Received,
    body: Record<string, unknown>,
  ): Promise<number | undefined> {
    const { processor, behaviour } = state;
    const text = JSON.stringify(body);
    const timestamp = Math.floor(Date.now() / 1000);
    const secret = behaviour.callbackSignature === 'valid' ? options.secretOf(processor.id) : randomBytes(32);
    const abort = new AbortController();
    aborts.add(abort);
    const timeout = setTimeout(() => abort.abort(), CALLBACK_TIMEOUT_MS);
    const at = new Date().toISOString();
    try {
      const res = await fetch(
        `${options.callbackBaseUrl()}/processors/${encodeURIComponent(processor.id)}/callback`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signProcessorBody(secret, timestamp, text),
          },
          body: text,
          signal: abort.signal,
        },
      );
      await res.arrayBuffer().catch(() => undefined);
      entry.callback = { at, status: res.status };
      log(`partner ${processor.id}: callback answered ${res.status}`);
      return res.status;
    } catch (error) {
      entry.callback = { at, error: error instanceof Error ? error.name : 'Error' };
      if (!stopped) log(`partner ${processor.id}: callback failed (${entry.callback.error})`);
      return undefined;
    } finally {
      clearTimeout(timeout);
      aborts.delete(abort);
    }
  }

  function responseBody(state: ProcessorState, action: ProcessorAction, reference: string) {
    const ack = state.behaviour.ack;
    if (ack !== 'sync') return { status: 202, body: { status: 'accepted', reference } };
    return {
      status: 200,
      body: {
        status: action.status,
        reference,
        detail: action.detail,
        ...(action.retained ? { retained: action.retained } : {}),
        ...(action.records ? { records: action.records } : {}),
      },
    };
  }

  async function deliver(state: ProcessorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { processor } = state;
    const raw = await readRaw(req);
    if (state.behaviour.delayMs > 0) await sleep(state.behaviour.delayMs);
    // Read after the delay: a concurrent delivery may have counted down failTimes meanwhile.
    const behaviour = state.behaviour;
    const idempotencyKey = header(req, IDEMPOTENCY_HEADER) ?? '';
    const signatureValid = verifyProcessorSignature(
      options.secretOf(processor.id),
      { timestamp: header(req, TIMESTAMP_HEADER), signature: header(req, SIGNATURE_HEADER) },
      raw,
    );
    const record = (entry: Omit<Received, 'at'>) => {
      const full: Received = { at: new Date().toISOString(), ...entry };
      appendDelivery(state, { received: full });
      state.received.push(full);
      if (state.received.length > MAX_RECEIVED)
        state.received.splice(0, state.received.length - MAX_RECEIVED);
      sendJson(res, entry.response.status, entry.response.body);
      log(
        `partner ${processor.id}: ${entry.request?.type ?? 'unreadable request'} → ${entry.response.status}`,
      );
      return full;
    };
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(raw);
    } catch {
      parsedJson = undefined;
    }
    const parsed = ProcessorRequest.safeParse(parsedJson);
    const request = signatureValid && parsed.success ? parsed.data : null;

    if (behaviour.failTimes > 0) {
      state.behaviour = { ...behaviour, failTimes: behaviour.failTimes - 1 };
      record({
        idempotencyKey,
        signatureValid,
        duplicate: false,
        request,
        response: { status: behaviour.failStatus, body: { error: 'temporarily_unavailable' } },
      });
      return;
    }
    if (!signatureValid) {
      record({
        idempotencyKey,
        signatureValid,
        duplicate: false,
        request: null,
        response: { status: 401, body: { error: 'invalid_signature' } },
      });
      return;
    }
    if (!request || idempotencyKey === '') {
      record({
        idempotencyKey,
        signatureValid,
        duplicate: false,
        request,
        response: {
          status: 400,
          body: { error: idempotencyKey === '' ? 'missing_idempotency_key' : 'invalid_request' },
        },
      });
      return;
    }
    const first = state.answers.get(idempotencyKey);
    if (first) {
      record({ idempotencyKey, signatureValid, duplicate: true, request, response: first });
      return;
    }

    const action = state.book.act(processor.role, request.type, request.subject);
    const reference = `${REFERENCE_PREFIX[processor.role]}-${randomBytes(3).toString('hex').toUpperCase()}`;
    const response = responseBody(state, action, reference);
    state.answers.set(idempotencyKey, response);
    const entry = record({ idempotencyKey, signatureValid, duplicate: false, request, response });
    if (behaviour.ack === 'async') {
      const callback = {
        requestId: request.requestId,
        status: action.status,
        reference,
        detail: action.detail,
        ...(action.retained ? { retained: action.retained } : {}),
        ...(action.records ? { records: action.records } : {}),
      };
      appendDelivery(state, { owes: idempotencyKey, callback });
      const timer = setTimeout(() => {
        timers.delete(timer);
        void sendCallback(state, entry, callback);
      }, behaviour.ackDelayMs);
      timers.add(timer);
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const fail = (status: number, error: string) => {
      req.resume();
      sendJson(res, status, { error });
    };
    if (url.pathname.replace(/\/$/, '') === '/partners') {
      if (method !== 'GET') return fail(405, 'method_not_allowed');
      return sendJson(res, 200, {
        processors: options.processors.map(({ id, name, role }) => ({ id, name, role })),
      });
    }
    const match = /^\/partners\/([^/]+)\/(dsr|received|behaviour|holdings)\/?$/.exec(url.pathname);
    if (!match) return fail(404, 'not_found');
    const state = states.get(decodeURIComponent(match[1] ?? ''));
    if (!state) return fail(404, 'unknown_processor');
    const id = state.processor.id;
    const action = `${method} ${match[2]}`;
    const handle = async () => {
      switch (action) {
        case 'POST dsr':
          return deliver(state, req, res);
        case 'GET received':
          req.resume();
          return sendJson(res, 200, { processorId: id, received: state.received });
        case 'GET holdings':
          req.resume();
          return sendJson(res, 200, { processorId: id, holdings: state.book.all() });
        case 'POST holdings': {
          // Demo only: `npm run seed` plants a subject's processor records from another process.
          const parsed = ProcessorHolding.safeParse(await readJson(req));
          if (!parsed.success) return sendJson(res, 400, { error: 'invalid_holding' });
          state.book.plant(parsed.data);
          return sendJson(res, 201, { processorId: id, customerId: parsed.data.customerId });
        }
        case 'POST behaviour': {
          const parsed = BehaviourChange.safeParse(await readJson(req));
          if (!parsed.success) return sendJson(res, 400, { error: 'invalid_behaviour' });
          return sendJson(res, 200, simulators.setBehaviour(id, parsed.data));
        }
        default:
          return fail(405, 'method_not_allowed');
      }
    };
    handle().catch((error: unknown) => {
      if (error instanceof BodyTooLarge) return fail(413, 'too_large');
      log(`partner ${id}: ${error instanceof Error ? error.name : 'error'} on ${action}`);
      sendJson(res, 500, { error: 'internal_error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const simulators: ProcessorSimulators = {
    url: `http://127.0.0.1:${port}`,
    port,
    processors: options.processors,
    ids: () => [...states.keys()],
    setBehaviour(id, change) {
      const state = stateOf(id);
      state.behaviour = Behaviour.parse({ ...state.behaviour, ...change });
      log(`partner ${id}: behaviour ${JSON.stringify(state.behaviour)}`);
      return { ...state.behaviour };
    },
    reset(id) {
      const state = stateOf(id);
      state.behaviour = defaultBehaviour(state.processor.role);
      return { ...state.behaviour };
    },
    behaviour: (id) => ({ ...stateOf(id).behaviour }),
    received: (id) => [...stateOf(id).received],
    plant: (id, holding) => stateOf(id).book.plant(holding),
    holdings: (id) => stateOf(id).book.all(),
    resumeCallbacks() {
      for (const { state, entry, body } of owed.splice(0)) {
        log(`partner ${state.processor.id}: calling back again after a restart`);
        void sendCallback(state, entry, body);
      }
    },
    flush: async () => {
      for (const state of states.values()) await state.book.flush();
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const abort of aborts) abort.abort();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await simulators.flush();
    },
  };
  return simulators;
}
