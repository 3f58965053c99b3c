/**
 * Fault injection for the local runtime (`DSR_FAULTS`, `DSR_FAULT_SEED`): an
 * HTTP proxy in front of each emulator and the processor simulators that fails
 * a fraction of the functions' calls the way the real service fails —
 * DynamoDB throughput and throttling errors, S3 `503 SlowDown`, SES
 * `TooManyRequestsException`, Step Functions `ThrottlingException`, a
 * processor's `503` or no answer at all (the caller's timeout) — so the SDK's retries, the adapters' and the workflow's
 * retry policies meet real errors. Only the functions' clients go through it;
 * seeding and tests read the emulators directly.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export const FAULT_SERVICES = ['dynamodb', 's3', 'ses', 'sfn', 'processors'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];
export type FaultRates = Partial<Record<FaultService, number>>;

const Rate = z.coerce.number().min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');

/** `dynamodb=0.2,s3=0.2,ses=0.1,sfn=0.05,processors=0.2` (or `all=0.2`), each a fraction from 0 to 1. */
export function parseFaults(spec: string | undefined): FaultRates {
  const rates: FaultRates = {};
  for (const part of (spec ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=').map((s) => s.trim());
    const rate = Rate.safeParse(value);
    if (!rate.success) throw new Error(`DSR_FAULTS: ${name}=${value ?? ''} ${rate.error.issues[0]?.message}`);
    if (name === 'all') for (const service of FAULT_SERVICES) rates[service] = rate.data;
    else if ((FAULT_SERVICES as readonly string[]).includes(name ?? ''))
      rates[name as FaultService] = rate.data;
    else throw new Error(`DSR_FAULTS: unknown service "${name}" (one of ${FAULT_SERVICES.join(', ')}, all)`);
  }
  return rates;
}

/** A small seeded generator (mulberry32): the same seed gives the same sequence of faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fault {
  /** No answer at all: the caller's own timeout ends the call (a partner that hangs). */
  readonly silent?: true;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The service's own answer when it is overloaded, alternating where it has two. */
function faultOf(service: FaultService, n: number): Fault {
  const json = (type: string, message: string, status = 400): Fault => ({
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message }),
  });
  switch (service) {
    case 'dynamodb':
      return n % 2 === 0
        ? json(
            'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            'The level of configured provisioned throughput for the table was exceeded.',
          )
        : json(
            'com.amazonaws.dynamodb.v20120810#ThrottlingException',
            'Rate of requests exceeds the allowed throughput.',
          );
    case 's3':
      return {
        status: 503,
        headers: { 'content-type': 'application/xml' },
        body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      };
    case 'ses':
      return {
        status: 429,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' },
        body: JSON.stringify({ message: 'Too many requests.' }),
      };
    case 'sfn':
      return json('ThrottlingException', 'Rate exceeded');
    case 'processors':
      return n % 2 === 0
        ? { status: 503, headers: { 'content-type': 'text/plain' }, body: 'Service Unavailable' }
        : { silent: true, status: 0, headers: {}, body: '' };
  }
}

export interface FaultProxy {
  readonly url: string;
  /** Calls passed on and calls failed so far. */
  readonly counts: { passed: number; failed: number };
  stop(): Promise<void>;
}

/**
 * Listens on a free loopback port and passes each request to `target`
 * unchanged (the Host header too, so signatures still verify), except a
 * `rate` fraction that gets the service's overload error instead.
 */
export async function startFaultProxy(options: {
  readonly service: FaultService;
  readonly target: string;
  readonly rate: number;
  readonly random: () => number;
}): Promise<FaultProxy> {
  const target = new URL(options.target);
  const counts = { passed: 0, failed: 0 };
  const server: Server = createServer((req, res) => {
    if (options.random() < options.rate) {
      const fault = faultOf(options.service, counts.failed);
      counts.failed += 1;
      // The request body is read and dropped, as a real service would.
      req.resume();
      if (fault.silent) {
        // Hangs until the caller gives up (its timeout), or a minute passes.
        setTimeout(() => res.destroy(), 60_000).unref();
        return;
      }
      req.on('end', () => res.writeHead(fault.status, fault.headers).end(fault.body));
      return;
    }
    counts.passed += 1;
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${target.pathname.replace(/\/$/, '')}${req.url ?? '/'}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
