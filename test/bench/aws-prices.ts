/**
 * The unit prices the bench's cost model uses, and the arithmetic. The same
 * table is in docs/PERFORMANCE.md with where and when each price was taken;
 * change both together.
 */

/** Where and when the prices below were read (list prices, no free tier, first tier). */
export const PRICE_REGION = 'us-east-1';
export const PRICES_TAKEN = '2026-12-06';

/** USD per unit, in the unit each service bills. */
export const PRICES = {
  /** Step Functions Standard, per state transition ($0.025 per 1,000). */
  sfnTransition: 0.025 / 1000,
  /** Lambda on Arm (Graviton), per GB-second of duration ($0.0000133334). */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda, per request ($0.20 per million). */
  lambdaRequest: 0.2 / 1e6,
  /** API Gateway REST API, per request ($3.50 per million, first 333 million). */
  apiGatewayRestRequest: 3.5 / 1e6,
  /** DynamoDB on-demand, per write request unit ($0.625 per million). */
  dynamodbWriteUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, per read request unit ($0.125 per million). */
  dynamodbReadUnit: 0.125 / 1e6,
  /** S3 Standard PUT, COPY, POST, LIST requests ($0.005 per 1,000). */
  s3WriteOrListRequest: 0.005 / 1000,
  /** S3 Standard GET and all other requests ($0.0004 per 1,000); DELETE is free. */
  s3ReadRequest: 0.0004 / 1000,
  /** SES outbound email, per message ($0.10 per 1,000). */
  sesMessage: 0.1 / 1000,
  /** Secrets Manager, per API call ($0.05 per 10,000). */
  secretsManagerCall: 0.05 / 10000,
} as const;

/** What one request used, in billing units. */
export interface RequestUsage {
  readonly transitions: number;
  /** One per Lambda invocation: configured memory and duration (billed rounded up to the ms). */
  readonly lambda: readonly { readonly memoryMb: number; readonly ms: number }[];
  readonly apiRequests: number;
  readonly dynamodbReadUnits: number;
  readonly dynamodbWriteUnits: number;
  readonly s3WriteOrListRequests: number;
  readonly s3ReadRequests: number;
  readonly sesMessages: number;
  readonly secretsManagerCalls: number;
}

/** USD per line of the bill, and their sum. */
export interface RequestCost {
  readonly stepFunctions: number;
  readonly lambdaDuration: number;
  readonly lambdaRequests: number;
  readonly apiGateway: number;
  readonly dynamodb: number;
  readonly s3: number;
  readonly ses: number;
  readonly secretsManager: number;
  readonly total: number;
}

/** Prices one request's usage at {@link PRICES}. */
export function costOf(usage: RequestUsage): RequestCost {
  const gbSeconds = usage.lambda.reduce((sum, i) => sum + (i.memoryMb / 1024) * (Math.ceil(i.ms) / 1000), 0);
  const lines = {
    stepFunctions: usage.transitions * PRICES.sfnTransition,
    lambdaDuration: gbSeconds * PRICES.lambdaArmGbSecond,
    lambdaRequests: usage.lambda.length * PRICES.lambdaRequest,
    apiGateway: usage.apiRequests * PRICES.apiGatewayRestRequest,
    dynamodb:
      usage.dynamodbReadUnits * PRICES.dynamodbReadUnit + usage.dynamodbWriteUnits * PRICES.dynamodbWriteUnit,
    s3:
      usage.s3WriteOrListRequests * PRICES.s3WriteOrListRequest + usage.s3ReadRequests * PRICES.s3ReadRequest,
    ses: usage.sesMessages * PRICES.sesMessage,
    secretsManager: usage.secretsManagerCalls * PRICES.secretsManagerCall,
  };
  return { ...lines, total: Object.values(lines).reduce((a, b) => a + b, 0) };
}
