import {
  advance,
  InvalidTransitionError,
  statusesAllowing,
  TERMINAL_STATUSES,
} from '../../functions/core/lifecycle';

describe('request lifecycle', () => {
  it('moves a verified request through in_progress to completed', () => {
    expect(advance('pending_verification', 'verify')).toBe('verified');
    expect(advance('verified', 'start')).toBe('in_progress');
    expect(advance('in_progress', 'complete')).toBe('completed');
  });

  it('refuses to complete a request that was never verified', () => {
    expect(() => advance('pending_verification', 'complete')).toThrow(InvalidTransitionError);
  });

  it('never moves a finished request again', () => {
    for (const status of TERMINAL_STATUSES)
      expect(() => advance(status, 'fail')).toThrow(InvalidTransitionError);
  });

  it('allows rejection only while verification is pending', () => {
    expect(statusesAllowing('reject')).toEqual(['pending_verification']);
  });

  it('lets a delete wait out its grace period, cancellable only until its erasure starts', () => {
    expect(advance('verified', 'schedule')).toBe('scheduled');
    expect(advance('scheduled', 'start')).toBe('in_progress');
    expect(advance('scheduled', 'cancel')).toBe('cancelled');
    expect(statusesAllowing('cancel')).toEqual(['scheduled']);
    expect(() => advance('in_progress', 'cancel')).toThrow(InvalidTransitionError);
    expect(TERMINAL_STATUSES.has('cancelled')).toBe(true);
  });
});
