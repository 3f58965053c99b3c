import { costOf, PRICES, type RequestUsage } from '../bench/aws-prices';

const nothing: RequestUsage = {
  transitions: 0,
  lambda: [],
  apiRequests: 0,
  dynamodbReadUnits: 0,
  dynamodbWriteUnits: 0,
  s3WriteOrListRequests: 0,
  s3ReadRequests: 0,
  sesMessages: 0,
  secretsManagerCalls: 0,
};

describe("the bench's cost model", () => {
  it('prices 40 Standard transitions at the $0.001 the issue allows for a whole request', () => {
    // Prepare / Act
    const cost = costOf({ ...nothing, transitions: 40 });
    // Assess
    expect(cost.stepFunctions).toBeCloseTo(0.001, 12);
    expect(cost.total).toBeCloseTo(0.001, 12);
  });

  it('bills each Lambda invocation by its memory and its duration rounded up to the millisecond', () => {
    const cost = costOf({
      ...nothing,
      lambda: [
        { memoryMb: 1024, ms: 999.2 }, // 1 GB × 1.000 s
        { memoryMb: 512, ms: 0.1 }, // 0.5 GB × 0.001 s
      ],
    });
    expect(cost.lambdaDuration).toBeCloseTo((1 + 0.0005) * PRICES.lambdaArmGbSecond, 15);
    expect(cost.lambdaRequests).toBeCloseTo(2 * PRICES.lambdaRequest, 15);
  });

  it('charges S3 PUT/LIST and GET requests each at their own price', () => {
    const cost = costOf({ ...nothing, s3WriteOrListRequests: 1000, s3ReadRequests: 1000 });
    expect(cost.s3).toBeCloseTo(0.005 + 0.0004, 12);
  });

  it('prices DynamoDB by request unit (fractions of eventually consistent reads too) and SES by message', () => {
    const cost = costOf({ ...nothing, dynamodbReadUnits: 0.5, dynamodbWriteUnits: 2, sesMessages: 3 });
    expect(cost.dynamodb).toBeCloseTo(0.5 * 0.125e-6 + 2 * 0.625e-6, 15);
    expect(cost.ses).toBeCloseTo(0.0003, 12);
    expect(cost.total).toBeCloseTo(cost.dynamodb + cost.ses, 15);
  });
});
