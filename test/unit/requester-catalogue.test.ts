import { verificationMail } from '../../functions/core/emails';
import { CATALOGUE, type MessageKey, t } from '../../functions/core/i18n/catalogue';
import { chooseLanguage } from '../../functions/core/i18n/language';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the message catalogue of the requester pages', () => {
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
