import {
  answerLimitBytes,
  assertProcessorUrl,
  backoffDelayMs,
  classifyAnswer,
  isRetryableStatus,
} from '../../functions/core/processors/delivery';
import { ProcessorConfigError } from '../../functions/core/processors/errors';

describe('partner endpoint rules', () => {
  it('allows https everywhere and http only in local mode', () => {
    expect(assertProcessorUrl('https://api.kirimcepat.example/v1/privacy-requests', false).hostname).toBe(
      'api.kirimcepat.example',
    );
    expect(() => assertProcessorUrl('http://api.kirimcepat.example/dsr', false)).toThrow('must use https');
    expect(assertProcessorUrl('http://127.0.0.1:3100/partners/logistics/dsr', true).port).toBe('3100');
  });

  it('refuses other schemes and unparsable URLs', () => {
    expect(() => assertProcessorUrl('ftp://api.kirimcepat.example/dsr', true)).toThrow(ProcessorConfigError);
    expect(() => assertProcessorUrl('file:///etc/passwd', true)).toThrow(ProcessorConfigError);
    expect(() => assertProcessorUrl('not a url', true)).toThrow('not a valid URL');
  });
});

describe('partner delivery rules', () => {
  it('retries 408, 429 and 5xx, and takes any other status as a refusal', () => {
    expect([408, 429, 500, 503].map(isRetryableStatus)).toEqual([true, true, true, true]);
    expect([301, 400, 403, 404].map(isRetryableStatus)).toEqual([false, false, false, false]);
  });

  it('doubles the wait after each failed attempt, within 20% jitter', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(500, n, () => 0.5))).toEqual([500, 1000, 2000]);
    expect(backoffDelayMs(500, 1, () => 0)).toBe(400);
    expect(backoffDelayMs(500, 1, () => 1)).toBe(600);
  });

  it('reads up to 5 MiB for access (the records) and 64 KiB otherwise', () => {
    expect(answerLimitBytes('access')).toBe(5 * 1024 * 1024);
    expect(answerLimitBytes('delete')).toBe(64 * 1024);
  });

  it('takes a 2xx body as acknowledged, accepted, rejected or invalid', () => {
    expect(classifyAnswer('{"status":"completed","reference":"KCL-1"}', 200)).toEqual({
      attempt: 'acknowledged',
      result: { kind: 'acknowledged', ack: { status: 'completed', reference: 'KCL-1' } },
    });
    expect(classifyAnswer('{"status":"accepted","reference":"KCL-2"}', 202).result).toEqual({
      kind: 'accepted',
      reference: 'KCL-2',
    });
    expect(classifyAnswer('{"status":"failed","reference":"KCL-3"}', 200).attempt).toBe('rejected');
    for (const body of [undefined, '', 'not json', '{"status":"done"}']) {
      expect(classifyAnswer(body, 200)).toEqual({
        attempt: 'invalid_response',
        result: { kind: 'failed', reason: 'invalid_response', httpStatus: 200 },
      });
    }
  });
});
