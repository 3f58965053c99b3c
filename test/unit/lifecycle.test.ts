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
    // Support may also cancel a request that needs attention (DSR-CancelRequest).
    expect(statusesAllowing('cancel')).toEqual(['scheduled', 'needs_attention']);
    expect(() => advance('in_progress', 'cancel')).toThrow(InvalidTransitionError);
    expect(TERMINAL_STATUSES.has('cancelled')).toBe(true);
  });

  it('lets support decide about a request whose stores failed for good', () => {
    expect(advance('in_progress', 'attention')).toBe('needs_attention');
    expect(advance('needs_attention', 'retry')).toBe('in_progress');
    expect(advance('needs_attention', 'except')).toBe('in_progress');
    expect(advance('needs_attention', 'fail')).toBe('failed');
    expect(() => advance('needs_attention', 'complete')).toThrow(InvalidTransitionError);
    expect(TERMINAL_STATUSES.has('needs_attention')).toBe(false);
  });
});
