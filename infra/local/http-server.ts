/**
 * The API on this machine: matches the same route table the CDK deploys
 * (`functions/deployment.ts`), turns each request into the API Gateway REST
 * (v1) proxy event, and calls the same handler the route's Lambda runs.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { pageHeaders } from '../../functions/core/html';
import type { MessageKey } from '../../functions/core/i18n/catalogue';
import {
  prefersHtml,
  STANDALONE_ERROR_CSP,
  standaloneErrorPage,
} from '../../functions/core/pages/standalone-error';
import { HTTP_FUNCTIONS, type HttpFunctionName, ROUTES } from '../../functions/deployment';
import { loadHandlers } from './handlers';
import { lambdaContext } from './lambda-context';

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type HttpHandlers = Record<HttpFunctionName, HttpHandler>;

/** API Gateway's payload limit is 10 MB; ours is 1 MB, refused before any handler runs. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Imports every HTTP function's handler. Call only after the environment is set. */
export function loadHttpHandlers(): Promise<HttpHandlers> {
  return loadHandlers<HttpFunctionName, HttpHandler>(HTTP_FUNCTIONS);
}

interface CompiledRoute {
  readonly method: string;
  readonly resource: string;
  readonly pattern: RegExp;
  readonly params: string[];
  readonly functionName: HttpFunctionName;
}

const compiled: CompiledRoute[] = ROUTES.map((route) => {
  const params: string[] = [];
  const source = route.path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_m, a, b) => {
      params.push(a ?? b);
      return '([^/]+)';
    });
  return {
    method: route.method,
    resource: route.path,
    pattern: new RegExp(`^${source}/?$`),
    params,
    functionName: route.functionName,
  };
});

/** The route serving `method` + `pathname`, with its decoded path parameters. */
export function matchRoute(
  method: string,
  pathname: string,
): { route: CompiledRoute; pathParameters: Record<string, string> } | undefined {
  for (const route of compiled) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(pathname === '' ? '/' : pathname);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    route.params.forEach((name, i) => {
      pathParameters[name] = decodeURIComponent(match[i + 1] ?? '');
    });
    return { route, pathParameters };
  }
  return undefined;
}

/** A request body over the limit: answer 413. */
export class BodyTooLarge extends Error {}

/** Reads a request body as UTF-8, refusing more than `limit` bytes (local servers only). */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Drain an oversized body (up to a hard cap) before answering 413, so the client reads the answer, not a reset.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 10 * limit) req.destroy();
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  if (size > limit) throw new BodyTooLarge();
  return Buffer.concat(chunks).toString('utf8');
}

/** The API Gateway REST proxy event for a request matched to `resource`. */
export function buildEvent(
  req: IncomingMessage,
  url: URL,
  resource: string,
  pathParameters: Record<string, string>,
  body: string,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!values) continue;
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  // Maps, not objects: a parameter named `valueOf` or `__proto__` is just a name.
  const queryMap = new Map<string, string>();
  const multiQueryMap = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) {
    queryMap.set(name, value);
    multiQueryMap.set(name, [...(multiQueryMap.get(name) ?? []), value]);
  }
  const query: Record<string, string> = Object.fromEntries(queryMap);
  const multiQuery: Record<string, string[]> = Object.fromEntries(multiQueryMap);
  const hasQuery = url.searchParams.size > 0;
  const requestId = randomUUID();
  const method = req.method ?? 'GET';
  return {
    httpMethod: method,
    path: url.pathname,
    resource,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    headers,
    multiValueHeaders,
    body: body.length > 0 ? body : null,
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      path: url.pathname,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: resource,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        user: null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

function writeResult(res: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | number | boolean | string[]> = {};
  for (const [name, value] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = value.map(String);
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = value;
  res.writeHead(result.statusCode, headers as Record<string, string | string[]>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** What every answer this server writes itself carries (its own pages, 404, 400, 413, 500), like the product's pages. */
export const LOCAL_PAGE_HEADERS: Readonly<Record<string, string>> = {
  ...pageHeaders(),
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

function writeJson(res: ServerResponse, statusCode: number, body: unknown): void {
  res.writeHead(statusCode, { ...LOCAL_PAGE_HEADERS, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The page each status this server answers itself shows a browser (core/pages/standalone-error.ts). */
const ERROR_MESSAGES: Readonly<Record<number, MessageKey>> = {
  400: 'http.400',
  404: 'http.404',
  413: 'http.413',
  500: 'http.500',
};

/**
 * An error this server answers itself: the bilingual page to a browser that
 * prefers HTML (as API Gateway's gateway responses do), else the JSON body.
 */
function writeError(req: IncomingMessage, res: ServerResponse, statusCode: number, body: unknown): void {
  if (!prefersHtml(req.headers.accept)) {
    writeJson(res, statusCode, body);
    return;
  }
  res.writeHead(statusCode, {
    ...LOCAL_PAGE_HEADERS,
    'content-security-policy': STANDALONE_ERROR_CSP,
    'content-type': 'text/html; charset=utf-8',
  });
  res.end(standaloneErrorPage(ERROR_MESSAGES[statusCode] ?? 'http.500', '/'));
}

export interface HttpServerOptions {
  readonly handlers: HttpHandlers;
  readonly port?: number;
  readonly host?: string;
  /** Local-only routes tried before the route table (e.g. execution inspection); return true when served. */
  readonly extra?: (req: IncomingMessage, url: URL, res: ServerResponse) => boolean;
  readonly log?: (line: string) => void;
}

export interface HttpServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts the API server (port 0 = any free port). */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer(async (req, res) => {
    let url = new URL('http://localhost/');
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      // The local pages get the security headers; a route's answer carries its handler's own, as in AWS.
      for (const [name, value] of Object.entries(LOCAL_PAGE_HEADERS)) res.setHeader(name, value);
      if (options.extra?.(req, url, res)) return;
      for (const name of Object.keys(LOCAL_PAGE_HEADERS)) res.removeHeader(name);
      const matched = matchRoute(req.method ?? 'GET', url.pathname);
      if (!matched) {
        req.resume();
        writeError(req, res, 404, { message: 'Not Found' });
        return;
      }
      const body = await readBody(req);
      const handler = options.handlers[matched.route.functionName];
      const event = buildEvent(req, url, matched.route.resource, matched.pathParameters, body);
      const result = await handler(event, lambdaContext(matched.route.functionName, 29));
      writeResult(res, result);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        writeError(req, res, 413, { message: 'Request body is larger than 1 MB' });
        return;
      }
      // A path that is not valid percent-encoding (or not a URL at all) is the client's mistake.
      if (error instanceof URIError || (error as { code?: string })?.code === 'ERR_INVALID_URL') {
        req.resume();
        writeError(req, res, 400, {
          error: 'invalid_request',
          message: 'the address is not valid (bad percent-encoding)',
        });
        return;
      }
      // The error itself may hold personal data: log only its class.
      options.log?.(
        `handler error ${error instanceof Error ? error.name : 'unknown'} on ${req.method} ${url.pathname.split('/')[1] ?? ''}`,
      );
      if (!res.headersSent) writeError(req, res, 500, { message: 'Internal Server Error' });
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
