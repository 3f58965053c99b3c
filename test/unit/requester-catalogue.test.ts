import * as emails from '../../functions/core/emails';
import { verificationMail } from '../../functions/core/emails';
import type { Certificate } from '../../functions/core/erasure/certificate';
import { erasureSummaryMail } from '../../functions/core/erasure/certificate-mail';
import { chooseLanguage } from '../../functions/core/i18n/language';
// The emails' catalogue holds the pages' messages too: every message of both, in one place to check.
import {
  MAIL_CATALOGUE as CATALOGUE,
  type MailKey as MessageKey,
  t,
} from '../../functions/core/i18n/mail-messages';
import { changeConfirmedMail } from '../../functions/core/requests/change-mail';
import { deadlineExtendedMail } from '../../functions/core/support/extension-mail';
import * as personMails from '../../functions/core/support/person-mails';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the message catalogue of the requester pages and emails', () => {
  it('has every message in both languages, with the same values to fill in', () => {
    const english = Object.keys(CATALOGUE.en).sort();
    expect(Object.keys(CATALOGUE.id).sort()).toEqual(english);
    for (const key of english as MessageKey[]) {
      expect([key, CATALOGUE.en[key].trim().length > 0, CATALOGUE.id[key].trim().length > 0]).toEqual([
        key,
        true,
        true,
      ]);
      expect([key, placeholders(CATALOGUE.id[key])]).toEqual([key, placeholders(CATALOGUE.en[key])]);
    }
  });

  it('is where every email to the person gets its words: with each message replaced by its key, no prose is left', () => {
    // Prepare: every message becomes its key (values kept); values without letters, so only prose could show
    const saved = { en: { ...CATALOGUE.en }, id: { ...CATALOGUE.id } };
    for (const lang of ['en', 'id'] as const) {
      const messages = CATALOGUE[lang] as Record<string, string>;
      for (const [key, text] of Object.entries(saved[lang])) {
        messages[key] = `[${key}] ${placeholders(text)
          .map((name) => `{${name}}`)
          .join(' ')}`;
      }
    }
    const id = '20260101-0001';
    const request = (locale: 'en' | 'id', type: 'access' | 'delete') => ({
      requestId: id,
      type,
      locale,
      publicUrl: 'https://dsr.example',
    });
    const certificate = {
      requestId: id,
      totals: { found: 4 },
      stores: [
        {
          description: '#1',
          deleted: 1,
          masked: 2,
          retained: { entries: [{ records: 1, legalBasis: '#2', retainedUntil: '2036-01-01' }] },
          held: { holds: [{ records: 1, description: { en: '#3', id: '#3' } }] },
        },
      ],
      notErased: [{ description: '#4' }],
      processors: [
        {
          name: '#5',
          status: 'acknowledged',
          ack: { status: 'retained', retained: [{ reason: '#6', until: '2030' }] },
        },
        { name: '#7', status: 'escalated' },
        { name: '#8', status: 'pending' },
      ],
    } as unknown as Certificate;
    try {
      // Act
      const mails = (['en', 'id'] as const).flatMap((l) => [
        emails.verificationMail(l, {
          requestId: id,
          code: '123456',
          link: 'https://l',
          minutes: 30,
          statusLink: 'https://s',
        }),
        emails.newAddressMail(l, { requestId: id, code: '123456' }),
        emails.exportReadyMail(l, { requestId: id, link: 'https://d', days: 7, records: 0 }),
        emails.exportReadyMail(l, { requestId: id, link: 'https://d', days: 7, records: 2 }),
        emails.erasureScheduledMail(l, {
          requestId: id,
          link: 'https://c',
          startsAt: new Date(0),
          graceSeconds: 7200,
        }),
        emails.optOutConfirmedMail(l, {
          requestId: id,
          stores: [{ description: '#1', records: 2 }],
          processors: [{ name: '#2', outcome: 'followed_up' }],
        }),
        erasureSummaryMail(l, certificate),
        ...(['rectify', 'restrict', 'lift_restriction', 'withdraw_consent'] as const).map((type) =>
          changeConfirmedMail(l, {
            requestId: id,
            type,
            changed: [{ description: '#1', records: 1 }],
            kept: [{ description: '#2', records: 1, reason: { en: '#3', id: '#3' } }],
            processors: [{ name: '#4', outcome: 'pending' }],
            attributes: ['email', 'phone'],
            purposes: ['analytics'],
          }),
        ),
        deadlineExtendedMail(l, { requestId: id, dueAt: new Date(0), reason: '#1' }),
        personMails.completedWithExceptionsMail(request(l, 'access'), [{ storeId: '#1' }], '#2'),
        personMails.requestFailedMail(request(l, 'delete'), '#1'),
        personMails.verificationExpiredMail(request(l, 'access')),
        personMails.verificationRejectedMail(request(l, 'delete')),
      ]);

      // Assess: take away the keys, links, dates (Intl spells months), the language rule and markup: nothing is left in words
      for (const mail of mails) {
        const rest = [mail.subject, mail.text, mail.html]
          .join('\n')
          .replace(/\[mail\.[\w.]+\]/g, '')
          .replace(/https?:\/\/[^\s"<]+/g, '')
          .replace(/\d+ \p{L}+ \d{4}[^(]*WIB \([^)]*UTC\)/gu, '')
          .replace(/----- (Bahasa Indonesia|English) -----/g, '')
          .replace(/<[^>]*>|&#\d+;/g, '');
        expect([mail.subject, rest.match(/\p{L}{2,}/gu)]).toEqual([mail.subject, null]);
      }
    } finally {
      Object.assign(CATALOGUE.en, saved.en);
      Object.assign(CATALOGUE.id, saved.id);
    }
  });

  it('fills in values', () => {
    expect(t('id', 'refusal.wrong_code', { attemptsLeft: 2 })).toBe('Kode itu salah. Sisa 2 kali percobaan.');
  });
});

describe('the language a page is shown in', () => {
  it('follows ?lang=, then the remembered choice, then Accept-Language, else Indonesian', () => {
    expect(chooseLanguage({})).toBe('id');
    expect(chooseLanguage({ acceptLanguage: 'fr-FR, de;q=0.9' })).toBe('id');
    expect(chooseLanguage({ acceptLanguage: 'en-US,en;q=0.9,id;q=0.8' })).toBe('en');
    expect(chooseLanguage({ acceptLanguage: 'en;q=0.5, id-ID;q=0.9' })).toBe('id');
    // The withdrawn ISO code old Android browsers still send for Indonesian.
    expect(chooseLanguage({ acceptLanguage: 'in-ID, en;q=0.8' })).toBe('id');
    expect(chooseLanguage({ cookie: 'en', acceptLanguage: 'id' })).toBe('en');
    expect(chooseLanguage({ query: 'id', cookie: 'en' })).toBe('id');
    expect(chooseLanguage({ query: 'fr', cookie: 'garbage', acceptLanguage: 'en' })).toBe('en');
  });
});

describe('the verification email', () => {
  it('comes in the request language first, the other below, with a read-only status link', () => {
    const mail = verificationMail('id', {
      requestId: '20260101-access-abcdefghij',
      code: '123456',
      link: 'https://dsr.example/requests/20260101-access-abcdefghij/verify?token=t',
      minutes: 30,
      statusLink: 'https://dsr.example/requests/20260101-access-abcdefghij/status?token=s',
    });
    expect(mail.subject).toBe('Kode konfirmasi permintaan data Anda / Your data request confirmation code');
    expect(mail.text.indexOf('Kode konfirmasi: 123456')).toBeLessThan(
      mail.text.indexOf('Confirmation code: 123456'),
    );
    expect(mail.text).toContain('/status?token=s');
    expect(mail.html).toMatch(
      /^<div lang="id">[\s\S]*<hr><div lang="en">[\s\S]*See the status of your request/,
    );
  });
});
