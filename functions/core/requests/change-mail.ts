/** The email that confirms a change request (correction, restriction, lifting it, withdrawal), EN and ID in one. */
import type { ConsentPurpose } from '../data-map';
import type { MailContent } from '../emails';
import type { ProcessorOutcome } from '../export/processor-calls';
import type { ChangeType, Locale } from '../request';
import { bilingual, type MailText } from '../support/person-mails';

export interface ChangeSummary {
  readonly requestId: string;
  readonly type: ChangeType;
  /** Stores whose records were changed, by description. */
  readonly changed: readonly { readonly description: string; readonly records: number }[];
  /** Stores whose records were kept as they were, and why. */
  readonly kept: readonly {
    readonly description: string;
    readonly records: number;
    readonly reason: Readonly<Record<Locale, string>>;
  }[];
  readonly processors: readonly { readonly name: string; readonly outcome: ProcessorOutcome }[];
  /** `rectify`: the attributes corrected (names, not values). */
  readonly attributes: readonly string[];
  /** `withdraw_consent`: the purposes. */
  readonly purposes: readonly ConsentPurpose[];
}

export const PURPOSE_LABEL: Record<Locale, Record<ConsentPurpose, string>> = {
  en: { analytics: 'analytics', personalisation: 'personalisation', marketing: 'marketing' },
  id: { analytics: 'analitik', personalisation: 'personalisasi', marketing: 'pemasaran' },
};

const ATTRIBUTE_LABEL: Record<Locale, Record<string, string>> = {
  en: {
    email: 'email address',
    fullName: 'name',
    phone: 'phone number',
    address: 'address',
    companyName: 'company name',
  },
  id: {
    email: 'alamat email',
    fullName: 'nama',
    phone: 'nomor telepon',
    address: 'alamat',
    companyName: 'nama perusahaan',
  },
};

const T = {
  en: {
    records: 'records',
    subject: {
      rectify: 'Your data has been corrected',
      restrict: 'Processing of your data is restricted',
      lift_restriction: 'The restriction of your data is lifted',
      withdraw_consent: 'Your consent is withdrawn',
    },
    done: (s: ChangeSummary, what: string) => `Request ${s.requestId} ${what} is done.`,
    what: {
      rectify: (s: ChangeSummary) =>
        `to correct your ${s.attributes.map((a) => ATTRIBUTE_LABEL.en[a] ?? a).join(', ')}`,
      restrict: () => 'to restrict the processing of your data',
      lift_restriction: () => 'to lift the restriction of your data',
      withdraw_consent: (s: ChangeSummary) =>
        `to withdraw your consent to ${s.purposes.map((p) => PURPOSE_LABEL.en[p]).join(', ')}`,
    },
    changedIn: {
      rectify: 'Corrected in:',
      restrict: 'Restricted in:',
      lift_restriction: 'Restriction lifted in:',
      withdraw_consent: 'Consent turned off in:',
    },
    nothing: 'We hold no records this request changes.',
    keptIntro: 'Kept as they were:',
    after: {
      rectify: 'Later records use the corrected details.',
      restrict:
        'We keep your data but use it for nothing else, and send you no marketing, until you ask us to lift the restriction.',
      lift_restriction: 'Your data is processed again as our privacy policy describes.',
      withdraw_consent:
        'We no longer use your data for these purposes. Withdrawing consent does not affect what was done before it.',
    },
    processors: 'We also told the partners that process your data for us:',
    outcome: {
      confirmed: 'confirmed',
      followed_up: 'not confirmed yet; our support team follows up',
      pending: 'told; waiting for its confirmation',
    },
  },
  id: {
    records: 'catatan',
    subject: {
      rectify: 'Data Anda telah dibetulkan',
      restrict: 'Pemrosesan data Anda dibatasi',
      lift_restriction: 'Pembatasan data Anda dicabut',
      withdraw_consent: 'Persetujuan Anda telah ditarik',
    },
    done: (s: ChangeSummary, what: string) => `Permintaan ${s.requestId} ${what} telah selesai.`,
    what: {
      rectify: (s: ChangeSummary) =>
        `untuk membetulkan ${s.attributes.map((a) => ATTRIBUTE_LABEL.id[a] ?? a).join(', ')} Anda`,
      restrict: () => 'untuk membatasi pemrosesan data Anda',
      lift_restriction: () => 'untuk mencabut pembatasan data Anda',
      withdraw_consent: (s: ChangeSummary) =>
        `untuk menarik persetujuan Anda atas ${s.purposes.map((p) => PURPOSE_LABEL.id[p]).join(', ')}`,
    },
    changedIn: {
      rectify: 'Dibetulkan di:',
      restrict: 'Dibatasi di:',
      lift_restriction: 'Pembatasan dicabut di:',
      withdraw_consent: 'Persetujuan dimatikan di:',
    },
    nothing: 'Kami tidak menyimpan catatan yang diubah oleh permintaan ini.',
    keptIntro: 'Disimpan sebagaimana adanya:',
    after: {
      rectify: 'Catatan berikutnya memakai data yang sudah dibetulkan.',
      restrict:
        'Kami tetap menyimpan data Anda tetapi tidak menggunakannya untuk hal lain, dan tidak mengirim pemasaran, sampai Anda meminta pembatasan dicabut.',
      lift_restriction: 'Data Anda kembali diproses sebagaimana dijelaskan kebijakan privasi kami.',
      withdraw_consent:
        'Kami tidak lagi menggunakan data Anda untuk tujuan tersebut. Penarikan persetujuan tidak memengaruhi pemrosesan sebelumnya.',
    },
    processors: 'Kami juga memberi tahu mitra yang memproses data Anda untuk kami:',
    outcome: {
      confirmed: 'telah mengonfirmasi',
      followed_up: 'belum mengonfirmasi; tim dukungan kami menindaklanjuti',
      pending: 'sudah diberi tahu; menunggu konfirmasinya',
    },
  },
} as const;

/** One language's text of the confirmation. */
function text(locale: Locale, s: ChangeSummary): MailText {
  const t = T[locale];
  const kept = s.kept.map(
    (k) => `${t.keptIntro} ${k.description} (${k.records} ${t.records}): ${k.reason[locale]}`,
  );
  const told = s.processors.map((p) => `${p.name}: ${t.outcome[p.outcome]}`);
  // The stores' list closes the mail (the bilingual layout puts a list last).
  return {
    subject: t.subject[s.type],
    paragraphs: [
      t.done(s, t.what[s.type](s)),
      t.after[s.type],
      ...(told.length > 0 ? [t.processors, ...told] : []),
      ...kept,
      s.changed.length === 0 ? t.nothing : t.changedIn[s.type],
    ],
    list: s.changed.map((c) => `${c.description} (${c.records} ${t.records})`),
  };
}

/** The confirmation, the request's language first and the other below it. */
export function changeConfirmedMail(locale: Locale, summary: ChangeSummary): MailContent {
  return bilingual(locale, (l) => text(l, summary));
}
