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

  it('answers a browser with a bilingual HTML page and an API client with JSON on every answer API Gateway gives itself', () => {
    // Prepare
    const byType = new Map(
      resources
        .filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse')
        .map((r) => [r.Properties.ResponseType, r.Properties.ResponseTemplates as Record<string, string>]),
    );

    // Assess
    for (const [type, indonesian, english] of [
      ['DEFAULT_4XX', 'Permintaan tidak dapat dipahami', 'The request was not understood'],
      ['DEFAULT_5XX', 'Terjadi kesalahan di pihak kami', 'Something went wrong on our side'],
      ['MISSING_AUTHENTICATION_TOKEN', 'Halaman ini tidak ada', 'There is no such page'],
      ['THROTTLED', 'Terlalu banyak percobaan', 'Too many tries from here'],
      ['WAF_FILTERED', 'diblokir', 'was blocked'],
    ] as const) {
      const templates = byType.get(type);
      expect([type, Object.keys(templates ?? {}).sort()]).toEqual([type, ['application/json', 'text/html']]);
      const html = templates?.['text/html'] ?? '';
      expect(html).toMatch(/^<!doctype html>\n<html lang="id">/);
      // Indonesian first, English below it, each marked with its language.
      expect(html.indexOf(indonesian)).toBeGreaterThan(html.indexOf('<div lang="id">'));
      expect(html.indexOf('<div lang="en">')).toBeGreaterThan(html.indexOf(indonesian));
      expect(html.indexOf(english)).toBeGreaterThan(html.indexOf('<div lang="en">'));
      // Static: no script, nothing from another site, its own CSP, and no `$` a template would substitute.
      expect(html).not.toMatch(/<script|https?:\/\/|\$/);
      expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\';');
      // JSON once API Gateway substitutes its (quoted) message string.
      const json = (templates?.['application/json'] ?? '').replace('$context.error.messageString', '"x"');
      expect(() => JSON.parse(json)).not.toThrow();
    }
    // The default answers keep API Gateway's own JSON shape for API clients.
    expect(byType.get('DEFAULT_5XX')?.['application/json']).toBe('{"message":$context.error.messageString}');
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
