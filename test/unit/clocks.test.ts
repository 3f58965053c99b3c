import {
  addBusinessDays,
  addCalendarMonths,
  boundedWaitSeconds,
  cappedGraceSeconds,
  clocksFor,
  dueStanding,
  ExtensionRefusedError,
  extendDeadline,
  parseClockStartAtVerification,
  parseHolidays,
  respondClockFromVerification,
} from '../../functions/core/clocks';

const at = (iso: string) => new Date(iso);

describe('the law’s clocks', () => {
  it('gives an Indonesian request 3×24 hours for every type, deletion included', () => {
    for (const type of ['access', 'delete', 'opt_out'] as const) {
      expect(clocksFor('ID', type, at('2026-03-06T10:00:00Z')).respond).toMatchObject({
        rule: 'uu-pdp-3x24h',
        startedAt: '2026-03-06T10:00:00.000Z',
        dueAt: '2026-03-09T10:00:00.000Z',
      });
    }
  });

  it('gives an EU request one calendar month: the same day next month', () => {
    expect(clocksFor('EU', 'access', at('2026-03-15T08:30:00Z')).respond.dueAt).toBe(
      '2026-04-15T08:30:00.000Z',
    );
  });

  it('ends an EU month on the last day of a shorter month (31 January → 28 or 29 February)', () => {
    expect(addCalendarMonths(at('2026-01-31T12:00:00Z'), 1).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(addCalendarMonths(at('2028-01-31T12:00:00Z'), 1).toISOString()).toBe('2028-02-29T12:00:00.000Z');
    expect(addCalendarMonths(at('2026-03-31T00:00:00Z'), 1).toISOString()).toBe('2026-04-30T00:00:00.000Z');
    expect(addCalendarMonths(at('2026-12-31T00:00:00Z'), 2).toISOString()).toBe('2027-02-28T00:00:00.000Z');
  });

  it('gives a Californian access or delete 45 calendar days and a receipt confirmation within 10 business days', () => {
    // Friday 2026-03-06: 10 business days later is Friday 2026-03-20.
    const clocks = clocksFor('US-CA', 'delete', at('2026-03-06T10:00:00Z'));
    expect(clocks.respond).toMatchObject({
      rule: 'ccpa-7021-respond-45-days',
      dueAt: '2026-04-20T10:00:00.000Z',
    });
    expect(clocks.confirm).toMatchObject({
      rule: 'ccpa-7021-confirm-10-business-days',
      dueAt: '2026-03-20T10:00:00.000Z',
      metAt: '2026-03-06T10:00:00.000Z',
    });
  });

  it('gives a Californian opt-out 15 business days, skipping weekends and the configured holidays', () => {
    // Monday 2026-11-16 + 15 business days = Monday 2026-12-07; Thanksgiving (26th) and the 27th push it to Wednesday 9th.
    expect(clocksFor('US-CA', 'opt_out', at('2026-11-16T09:00:00Z')).respond.dueAt).toBe(
      '2026-12-07T09:00:00.000Z',
    );
    const holidays = parseHolidays('2026-11-26, 2026-11-27');
    expect(clocksFor('US-CA', 'opt_out', at('2026-11-16T09:00:00Z'), { holidays }).respond).toMatchObject({
      rule: 'ccpa-7026-opt-out-15-business-days',
      dueAt: '2026-12-09T09:00:00.000Z',
    });
  });

  it('counts a request received on a Saturday from the Monday after', () => {
    expect(addBusinessDays(at('2026-03-07T10:00:00Z'), 1).toISOString()).toBe('2026-03-09T10:00:00.000Z');
    expect(addBusinessDays(at('2026-03-06T10:00:00Z'), 1).toISOString()).toBe('2026-03-09T10:00:00.000Z');
  });

  it('refuses a holiday list entry that is not a date', () => {
    expect(() => parseHolidays('2026-12-25,25/12/2026')).toThrow(
      'holiday "25/12/2026" is not a date YYYY-MM-DD',
    );
  });
});

describe('extending a deadline', () => {
  const args = { now: at('2026-01-20T00:00:00Z'), reason: 'many stores to search', actor: 'alice' };

  it('gives an EU request two further months, once, counted from the original due date', () => {
    const respond = clocksFor('EU', 'access', at('2026-01-01T00:00:00Z')).respond;
    const extended = extendDeadline('EU', respond, args);
    expect(extended.dueAt).toBe('2026-04-01T00:00:00.000Z');
    expect(extended.extensions).toEqual([
      {
        at: '2026-01-20T00:00:00.000Z',
        fromDueAt: '2026-02-01T00:00:00.000Z',
        toDueAt: '2026-04-01T00:00:00.000Z',
        reason: 'many stores to search',
        actor: 'alice',
      },
    ]);
    expect(() => extendDeadline('EU', extended, args)).toThrow(/already extended once/);
  });

  it('gives a Californian access request 45 more days once (90 in all)', () => {
    const respond = clocksFor('US-CA', 'access', at('2026-01-01T00:00:00Z')).respond;
    expect(extendDeadline('US-CA', respond, args).dueAt).toBe('2026-04-01T00:00:00.000Z'); // 15 Feb + 45 days
  });

  it('refuses an Indonesian request with the law’s reason', () => {
    const respond = clocksFor('ID', 'access', at('2026-01-19T00:00:00Z')).respond;
    expect(() => extendDeadline('ID', respond, args)).toThrow(
      expect.objectContaining({
        name: 'ExtensionRefused',
        reason: 'not_allowed_by_law',
        message: expect.stringMatching(/UU PDP/),
      }),
    );
  });

  it('refuses a Californian opt-out, a deadline already passed and an empty reason', () => {
    const optOut = clocksFor('US-CA', 'opt_out', at('2026-01-19T00:00:00Z')).respond;
    expect(() => extendDeadline('US-CA', optOut, args)).toThrow(/§7026/);
    const late = clocksFor('EU', 'access', at('2025-11-01T00:00:00Z')).respond;
    expect(() => extendDeadline('EU', late, args)).toThrow(/has passed/);
    const eu = clocksFor('EU', 'access', at('2026-01-01T00:00:00Z')).respond;
    expect(() => extendDeadline('EU', eu, { ...args, reason: '  ' })).toThrow(ExtensionRefusedError);
  });
});

describe('reading a clock', () => {
  it('says "due in N hours" before the due time and "overdue by N hours" after it', () => {
    expect(dueStanding('2026-01-02T00:00:00Z', at('2026-01-01T18:30:00Z')).text).toBe('due in 5 hours');
    expect(dueStanding('2026-01-02T00:00:00Z', at('2026-01-01T23:30:00Z')).text).toBe('due in 0 hours');
    expect(dueStanding('2026-01-02T00:00:00Z', at('2026-01-02T00:10:00Z'))).toEqual({
      state: 'overdue',
      hours: 1,
      text: 'overdue by 1 hour',
    });
  });

  it('bounds a wait so it ends the margin before the due time, never below one second', () => {
    const now = at('2026-01-01T00:00:00Z');
    const dueAt = '2026-01-04T00:00:00Z'; // 72 h
    expect(boundedWaitSeconds({ wanted: 72 * 3600, dueAt, now, marginSeconds: 6 * 3600 })).toBe(66 * 3600);
    expect(boundedWaitSeconds({ wanted: 3600, dueAt, now, marginSeconds: 6 * 3600 })).toBe(3600);
    expect(boundedWaitSeconds({ wanted: 3600, dueAt: '2025-12-31T00:00:00Z', now, marginSeconds: 0 })).toBe(
      1,
    );
  });

  it('caps a 72-hour delete’s grace period so the erasure gets at least as long', () => {
    const dueAt = '2026-01-04T00:00:00Z';
    // Verified at once: 66 h before the margin, 24 h grace fits.
    expect(
      cappedGraceSeconds({ wanted: 86400, dueAt, now: at('2026-01-01T00:00:00Z'), marginSeconds: 21600 }),
    ).toBe(86400);
    // Verified 50 h in: 16 h left before the margin, 8 h of grace.
    expect(
      cappedGraceSeconds({ wanted: 86400, dueAt, now: at('2026-01-03T02:00:00Z'), marginSeconds: 21600 }),
    ).toBe(8 * 3600);
    expect(
      cappedGraceSeconds({ wanted: 86400, dueAt, now: at('2026-01-03T20:00:00Z'), marginSeconds: 21600 }),
    ).toBe(0);
  });
});

describe('the verification wait of a new request', () => {
  it('ends 6 hours before an Indonesian request’s 72-hour deadline', async () => {
    const { validateRequest } = await import('../../functions/core/requests/validate');
    const { clockFields } = await import('../../functions/core/clocks');
    const receivedAt = new Date('2026-01-01T00:00:00Z');
    const record = {
      requestId: 'r',
      type: 'access',
      status: 'pending_verification',
      ...clockFields('ID', 'access', receivedAt),
    };
    const ports = {
      ledger: { get: async () => record as never },
      log: { info: () => {}, warn: () => {}, error: () => {} },
      clock: () => new Date('2026-01-01T00:00:10Z'),
    };
    const out = await validateRequest(ports, { requestId: 'r', type: 'access' });
    expect(out.verificationSeconds).toBe(66 * 3600 - 10);
  });
});

describe('starting the clock at verification', () => {
  const eu = {
    jurisdiction: 'EU' as const,
    type: 'access' as const,
    receivedAt: '2026-01-31T10:00:00.000Z',
    clocks: clocksFor('EU', 'access', at('2026-01-31T10:00:00.000Z')),
  };

  it('is refused for the jurisdictions whose law counts from receipt, naming the rule', () => {
    expect(() => parseClockStartAtVerification('US-CA')).toThrow(/§7021\(b\)/);
    expect(() => parseClockStartAtVerification('ID')).toThrow(/UU PDP/);
    expect(() => parseClockStartAtVerification('EU,XX')).toThrow(/not a jurisdiction/);
    expect([...parseClockStartAtVerification(' EU ')]).toEqual(['EU']);
    expect(parseClockStartAtVerification(undefined).size).toBe(0);
  });

  it('counts an EU month from verification when chosen, month end included', () => {
    const clock = respondClockFromVerification(eu, at('2026-03-31T09:00:00Z'), new Set(['EU']));
    expect(clock).toMatchObject({ startedAt: '2026-03-31T09:00:00.000Z', dueAt: '2026-04-30T09:00:00.000Z' });
  });

  it('leaves the clock alone when not chosen, already restarted, or extended', () => {
    expect(respondClockFromVerification(eu, at('2026-02-02T00:00:00Z'), new Set())).toBeUndefined();
    const restarted = { ...eu, clocks: clocksFor('EU', 'access', at('2026-02-01T00:00:00Z')) };
    expect(
      respondClockFromVerification(restarted, at('2026-02-02T00:00:00Z'), new Set(['EU'])),
    ).toBeUndefined();
    const extended = {
      ...eu,
      clocks: {
        respond: extendDeadline('EU', eu.clocks.respond, {
          now: at('2026-02-01T00:00:00Z'),
          reason: 'r',
          actor: 'a',
        }),
      },
    };
    expect(
      respondClockFromVerification(extended, at('2026-02-02T00:00:00Z'), new Set(['EU'])),
    ).toBeUndefined();
  });
});
