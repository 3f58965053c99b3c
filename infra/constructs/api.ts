import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { MessageKey } from '../../functions/core/i18n/catalogue';
import { standaloneErrorPage } from '../../functions/core/pages/standalone-error';
import type { Route } from '../../functions/deployment';

export const API_STAGE = 'prod';

export interface ApiProps {
  readonly logKey: kms.IKey;
  readonly logRetention?: logs.RetentionDays;
  /** Steady-state requests per second per method. */
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
  /**
   * Set the account-and-region API Gateway CloudWatch role (kept when the stack goes). Off by default:
   * the setting is shared by every REST API there; a region where no REST API has logged yet needs it once.
   */
  readonly manageApiGatewayAccount?: boolean;
}

/** The public REST API. Routes are added once their functions exist ({@link Api.addRoutes}). */
export class Api extends Construct {
  public readonly restApi: apigw.RestApi;
  public readonly accessLogs: logs.LogGroup;
  private readonly validator: apigw.RequestValidator;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.restApi = new apigw.RestApi(this, 'RestApi', {
      description: 'Data-subject requests: submit, verify, follow and download',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // The CloudWatch role is an account-and-region setting shared by every REST API: set only when asked,
      // and then kept when the stack goes (deleting it would break the other APIs' logging).
      cloudWatchRole: props.manageApiGatewayAccount === true,
      ...(props.manageApiGatewayAccount ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: API_STAGE,
        // The request-id-only access log; no bodies, no query strings (they carry tokens).
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            requestTime: apigw.AccessLogField.contextRequestTime(),
            httpMethod: apigw.AccessLogField.contextHttpMethod(),
            resourcePath: apigw.AccessLogField.contextResourcePath(),
            status: apigw.AccessLogField.contextStatus(),
            responseLatency: apigw.AccessLogField.contextResponseLatency(),
            integrationError: apigw.AccessLogField.contextIntegrationErrorMessage(),
          }),
        ),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit ?? 20,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 40,
        // The status page polls (every 2 s, backing off to 30 s): its GET gets room for a few hundred watchers.
        methodOptions: {
          '/requests/{requestId}/GET': { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
        },
      },
    });
    // Path parameters are required at the edge; bodies are validated with zod in the handlers.
    this.validator = this.restApi.addRequestValidator('RequestValidator', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    if (props.manageApiGatewayAccount) {
      Validations.of(this.restApi).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The account-level API Gateway logging role; AWS maintains the narrow push-to-logs policy',
      });
    }
    // API Gateway's own answers (it runs no handler for them): JSON in the handlers' shape for API
    // clients, and a bilingual page for browsers. API Gateway picks the template whose content type
    // matches the request's Accept header and falls back to application/json (no Accept, or no match).
    const answer = (error: string | undefined, message: string, page: MessageKey) => ({
      'application/json': error
        ? JSON.stringify({ error, message })
        : // The default template's shape, so API clients of DEFAULT_4XX/5XX see what they saw before.
          '{"message":$context.error.messageString}',
      'text/html': standaloneErrorPage(page),
    });
    // HTTPS only, the same value as on the handlers' answers (functions/middleware/errors.ts BASE_HEADERS);
    // the page carries its own CSP in a meta tag (a static header value cannot hold its quotes).
    const headers = {
      'Strict-Transport-Security': "'max-age=63072000; includeSubDomains'",
      'X-Content-Type-Options': "'nosniff'",
      'X-Frame-Options': "'DENY'",
    };
    this.restApi.addGatewayResponse('Throttled', {
      type: apigw.ResponseType.THROTTLED,
      statusCode: '429',
      responseHeaders: { 'Retry-After': "'1'", ...headers },
      templates: answer(
        'rate_limited',
        'The service is busy. Please wait a moment and try again.',
        'http.429',
      ),
    });
    // A request a WAF managed rule blocked (the rate-based rules answer their own 429).
    this.restApi.addGatewayResponse('WafFiltered', {
      type: apigw.ResponseType.WAF_FILTERED,
      statusCode: '403',
      responseHeaders: headers,
      templates: answer(
        'blocked',
        'This request looks unsafe and was blocked. Remove any code or markup and try again.',
        'http.blocked',
      ),
    });
    // API Gateway answers an unknown path with 403 "Missing Authentication Token"; it is a 404.
    this.restApi.addGatewayResponse('UnknownPath', {
      type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      responseHeaders: headers,
      templates: answer('not_found', 'There is nothing at this address.', 'http.404'),
    });
    // Every other answer API Gateway gives itself (a body too large, an integration that failed or timed out…).
    this.restApi.addGatewayResponse('Default4xx', {
      type: apigw.ResponseType.DEFAULT_4XX,
      responseHeaders: headers,
      templates: answer(undefined, '', 'http.400'),
    });
    this.restApi.addGatewayResponse('Default5xx', {
      type: apigw.ResponseType.DEFAULT_5XX,
      responseHeaders: headers,
      templates: answer(undefined, '', 'http.500'),
    });
  }

  /** The deployed stage (`prod`), for the WAF association and metrics. */
  public get stage(): apigw.Stage {
    return this.restApi.deploymentStage;
  }

  /**
   * The invoke URL, built from the API id and region without referring to the
   * stage or deployment (which depend on the methods, hence on the functions).
   */
  public get defaultBaseUrl(): string {
    const stack = Stack.of(this);
    return `https://${this.restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${API_STAGE}`;
  }

  /** One method per route, integrated with the route's function. */
  public addRoutes(
    routes: readonly Route[],
    functions: Readonly<Record<Route['functionName'], lambda.IFunction>>,
  ): void {
    const integrations = new Map<string, apigw.LambdaIntegration>();
    for (const route of routes) {
      const resource = this.restApi.root.resourceForPath(route.path);
      const fn = functions[route.functionName];
      const integration = integrations.get(route.functionName) ?? new apigw.LambdaIntegration(fn);
      integrations.set(route.functionName, integration);
      const params = [...route.path.matchAll(/\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]);
      const method = resource.addMethod(route.method, integration, {
        ...(params.length > 0
          ? {
              requestParameters: Object.fromEntries(params.map((p) => [`method.request.path.${p}`, true])),
              requestValidator: this.validator,
            }
          : {}),
      });
      // The subject is anonymous until verified: possession of the emailed code/token is the authorisation.
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Public by design: requesters are anonymous; handlers check the emailed code or token',
      });
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'Public by design: requesters have no accounts; handlers check the emailed code or token',
      });
    }
  }
}
