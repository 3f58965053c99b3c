/**
 * Issue 18 in the deployed stack: the firewall's log never holds a bearer
 * token (finding 6), and API Gateway's own answers carry HSTS like the
 * handlers' (finding 7).
 */
import { synth } from './support/synth';

const { template } = synth();
const resources = Object.values(
  template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
);

describe('security of the deployed stack', () => {
  it("redacts the Authorization header (the status token) and query strings in the firewall's log", () => {
    const logging = resources.filter((r) => r.Type === 'AWS::WAFv2::LoggingConfiguration');
    expect(logging).toHaveLength(1);
    expect(logging[0]?.Properties.RedactedFields).toEqual(
      expect.arrayContaining([{ QueryString: {} }, { SingleHeader: { Name: 'authorization' } }]),
    );
  });

  it("sends Strict-Transport-Security on API Gateway's own answers (throttling, blocks, unknown paths)", () => {
    const responses = resources.filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse');
    expect(responses.length).toBeGreaterThanOrEqual(3);
    for (const response of responses) {
      expect(response.Properties.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Strict-Transport-Security': "'max-age=63072000; includeSubDomains'",
      });
    }
  });
});
