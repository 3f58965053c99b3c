import { optOutConfirmedMail } from '../../functions/core/emails';

const requestId = '20260101-opt-out-PARTNERSAB';
const stores = [{ description: 'Marketing preferences', records: 1 }];

describe('partners in the opt-out confirmation email', () => {
  it('lists in Indonesian which partners confirmed and which our support team is following up', () => {
    const mail = optOutConfirmedMail('id', {
      requestId,
      stores,
      processors: [
        { name: 'Kirim Cepat Logistics', outcome: 'confirmed' },
        { name: 'BayarKu Payment Gateway', outcome: 'followed_up' },
      ],
    });

    expect(mail.text).toContain(
      'agar berhenti mengirim pemasaran kepada Anda:\n' +
        '- Kirim Cepat Logistics: telah mengonfirmasi\n' +
        '- BayarKu Payment Gateway: belum mengonfirmasi; tim dukungan kami sedang menindaklanjutinya',
    );
    // The processors come after the stores and before the suppression-list promise.
    expect(mail.text.indexOf('Marketing preferences')).toBeLessThan(mail.text.indexOf('Kirim Cepat'));
    expect(mail.text.indexOf('BayarKu')).toBeLessThan(mail.text.indexOf('daftar penolakan'));
  });

  it('says a partner that has not answered yet was told and is awaited', () => {
    const mail = optOutConfirmedMail('en', {
      requestId,
      stores: [],
      processors: [{ name: 'Kirim Cepat Logistics', outcome: 'pending' }],
    });

    expect(mail.text).toContain('- Kirim Cepat Logistics: told; waiting for its confirmation');
  });

  it('escapes partner names in the HTML part', () => {
    const mail = optOutConfirmedMail('en', {
      requestId,
      stores,
      processors: [{ name: 'Kirim <b>Cepat</b>', outcome: 'confirmed' }],
    });

    expect(mail.html).toContain('<li>Kirim &#60;b&#62;Cepat&#60;/b&#62;: confirmed</li>');
    expect(mail.html).not.toContain('<b>Cepat</b>');
  });
});
