/**
 * The API's routes, in one table used by the CDK (API Gateway resources and
 * one function per route) and by the local server (same handlers, same events).
 */
export type RouteAccess =
  | 'ledger:read'
  | 'ledger:write'
  | 'secret:read'
  | 'workflow:start'
  | 'workflow:callback'
  | 'exports:read'
  /** Per-store export files in the exports bucket (a processor's records from its callback). */
  | 'exports:write'
  /** Secrets Manager GetSecretValue on the data map's processor secrets (processors' HMAC keys), by name. */
  | 'processors:secret'
  /** Rate-limit counters table: UpdateItem only. */
  | 'limits:write'
  /** Idempotency records table: GetItem, PutItem, UpdateItem, DeleteItem. */
  | 'idempotency:write'
  /** SES SendEmail from the configured identity. */
  | 'mail:send'
  /** Suppression list table: GetItem, PutItem, UpdateItem (one-click unsubscribe marks its token used). */
  | 'suppression:write';

export interface Route {
  readonly method: 'GET' | 'POST';
  /** API Gateway path syntax: `{name}` for a path parameter. */
  readonly path: string;
  /** Function that serves the route; several routes may share one. */
  readonly functionName: string;
}

export interface HttpFunction {
  readonly entry: string;
  readonly handler: 'handler';
  readonly description: string;
  readonly access: readonly RouteAccess[];
}

export const HTTP_FUNCTIONS = {
  SubmitRequest: {
    entry: 'functions/http/submit-request.ts',
    handler: 'handler',
    description: 'POST /requests: records the request, then starts its workflow',
    access: [
      'ledger:read',
      'ledger:write',
      'secret:read',
      'workflow:start',
      'limits:write',
      'idempotency:write',
    ],
  },
  VerifyRequest: {
    entry: 'functions/http/verify-request.ts',
    handler: 'handler',
    description: 'POST /requests/{requestId}/verify: checks the code or link token and resumes the workflow',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'workflow:callback', 'limits:write'],
  },
  ResendVerification: {
    entry: 'functions/http/resend-verification.ts',
    handler: 'handler',
    description: 'POST /requests/{requestId}/resend: a new code and link while awaiting verification',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'mail:send', 'limits:write'],
  },
  GetRequestStatus: {
    entry: 'functions/http/get-request-status.ts',
    handler: 'handler',
    description: 'GET /requests/{requestId}: progress for the holder of the status token',
    access: ['ledger:read', 'secret:read'],
  },
  DownloadExport: {
    entry: 'functions/http/download-export.ts',
    handler: 'handler',
    description: 'GET /requests/{requestId}/export: checks the emailed token, redirects to a short-lived URL',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'exports:read', 'limits:write'],
  },
  CancelRequest: {
    entry: 'functions/http/cancel-request.ts',
    handler: 'handler',
    description:
      'GET/POST /requests/{requestId}/cancel: the cancel page, and cancelling a delete in its grace period',
    access: ['ledger:read', 'ledger:write', 'secret:read', 'limits:write'],
  },
  Unsubscribe: {
    entry: 'functions/http/unsubscribe.ts',
    handler: 'handler',
    description:
      'GET/POST /unsubscribe: the confirmation page, and a one-click opt-out (RFC 8058) for a signed token',
    access: [
      'ledger:read',
      'ledger:write',
      'secret:read',
      'workflow:start',
      'limits:write',
      'suppression:write',
    ],
  },
  ProcessorCallback: {
    entry: 'functions/http/processor-callback.ts',
    handler: 'handler',
    description:
      "POST /processors/{processorId}/callback: a partner's signed acknowledgement, recorded as evidence; resumes the workflow",
    access: ['ledger:read', 'ledger:write', 'processors:secret', 'workflow:callback', 'exports:write'],
  },
  Pages: {
    entry: 'functions/http/pages.ts',
    handler: 'handler',
    description: 'GET /, the verification confirmation page and /health',
    access: [],
  },
} as const satisfies Record<string, HttpFunction>;

export type HttpFunctionName = keyof typeof HTTP_FUNCTIONS;

export const ROUTES: readonly (Route & { functionName: HttpFunctionName })[] = [
  { method: 'GET', path: '/', functionName: 'Pages' },
  { method: 'GET', path: '/health', functionName: 'Pages' },
  { method: 'POST', path: '/requests', functionName: 'SubmitRequest' },
  { method: 'GET', path: '/requests/{requestId}', functionName: 'GetRequestStatus' },
  { method: 'GET', path: '/requests/{requestId}/verify', functionName: 'Pages' },
  { method: 'POST', path: '/requests/{requestId}/verify', functionName: 'VerifyRequest' },
  { method: 'POST', path: '/requests/{requestId}/resend', functionName: 'ResendVerification' },
  { method: 'GET', path: '/requests/{requestId}/export', functionName: 'DownloadExport' },
  { method: 'GET', path: '/requests/{requestId}/cancel', functionName: 'CancelRequest' },
  { method: 'POST', path: '/requests/{requestId}/cancel', functionName: 'CancelRequest' },
  { method: 'GET', path: '/unsubscribe', functionName: 'Unsubscribe' },
  { method: 'POST', path: '/unsubscribe', functionName: 'Unsubscribe' },
  { method: 'POST', path: '/processors/{processorId}/callback', functionName: 'ProcessorCallback' },
];
