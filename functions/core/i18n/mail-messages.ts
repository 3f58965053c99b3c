/**
 * The emails' part of THE message catalogue: every sentence an email to the
 * person says, in English and Bahasa Indonesia, added here to the pages'
 * messages (catalogue.ts) so only the functions that send emails bundle them. A
 * key missing in either language fails `tsc` and test/unit/requester-catalogue.test.ts.
 * `{name}` marks a value filled in; emails put the request's language first.
 */
import type { Locale } from '../request';
import { fill, CATALOGUE as PAGES, type MessageKey as PageKey } from './catalogue';

export const MAIL_EN = {
  'mail.records.one': '{count} record',
  'mail.records.other': '{count} records',
  'mail.storeRecords': '{description} ({count} records)',
  'mail.duration.day.one': '{count} day',
  'mail.duration.day.other': '{count} days',
  'mail.duration.hour.one': '{count} hour',
  'mail.duration.hour.other': '{count} hours',
  'mail.duration.minute.one': '{count} minute',
  'mail.duration.minute.other': '{count} minutes',
  'mail.duration.second.one': '{count} second',
  'mail.duration.second.other': '{count} seconds',
  'mail.processor.confirmed': 'confirmed',
  'mail.processor.pending': 'told; waiting for its confirmation',

  'mail.verify.subject': 'Your data request confirmation code',
  'mail.verify.received': 'We received request {requestId} about your personal data at Impor.in.',
  'mail.verify.code': 'Confirmation code: {code}',
  'mail.verify.orLink': 'Or open this link to confirm:',
  'mail.verify.link': 'Confirm the request',
  'mail.verify.validity':
    'The code is valid for {minutes} minutes. If you did not make this request, ignore this email.',
  'mail.verify.statusText': "Follow your request's progress (this page only shows its status):",
  'mail.verify.statusLink': 'See the status of your request',
  'mail.verify.statusNote': '(it only shows progress; it changes nothing).',

  'mail.newAddress.subject': 'Confirm your new email address',
  'mail.newAddress.lead':
    'Request {requestId} changes the email address of your Impor.in account to this address.',
  'mail.newAddress.code': 'Code for the new address: {code}',
  'mail.newAddress.note':
    'Enter it together with the code sent to your current address. If you did not make this request, ignore this email; nothing changes.',

  'mail.export.subject': 'Your copy of your Impor.in data is ready',
  'mail.export.subject.none': 'We hold no data about you at Impor.in',
  'mail.export.lead': 'The copy of your data for request {requestId} is ready.',
  'mail.export.lead.none':
    'We searched every place we keep data for request {requestId}. We hold no data about you.',
  'mail.export.action': 'Download your data',
  'mail.export.action.none': 'See the list of places we searched',
  'mail.export.validText': '{action} here (valid for {days} days):',
  'mail.export.valid': '(valid for {days} days).',

  'mail.scheduled.subject': 'The deletion of your Impor.in data is scheduled',
  'mail.scheduled.confirmed': 'Request {requestId} to delete your personal data at Impor.in is confirmed.',
  'mail.scheduled.starts': 'Erasure starts in {wait}, at {when}.',
  'mail.scheduled.cancelText': 'Until then you can cancel it:',
  'mail.scheduled.cancelLink': 'Cancel the deletion',
  'mail.scheduled.cancelNote': '(only before that time).',
  'mail.scheduled.kept':
    'Records the law requires us to keep (such as tax records) are kept, with the reason; you will get a summary when it is done.',

  'mail.optOut.subject': 'You will no longer receive marketing from Impor.in',
  'mail.optOut.done': 'Request {requestId} to stop marketing to you is done.',
  'mail.optOut.none': 'We hold no marketing consent for you.',
  'mail.optOut.off': 'Marketing consent (email, WhatsApp, SMS and advertising cookies) is now off in:',
  'mail.optOut.processors':
    'We also told the partners that process your data for us to stop marketing to you:',
  'mail.optOut.followedUp': 'has not confirmed; our support team is following up',
  'mail.optOut.suppressed':
    'Your address is on our suppression list, so a later sign-up or data import will not turn marketing back on. Emails about your orders and account still arrive.',

  'mail.certificate.subject': 'Your Impor.in data has been erased',
  'mail.certificate.subject.none': 'We held no data about you at Impor.in',
  'mail.certificate.opening':
    'We have carried out your erasure request {requestId}. Afterwards we searched every system again to confirm that nothing else of yours remains.',
  'mail.certificate.deleted': 'Deleted',
  'mail.certificate.deleted.intro': 'These records were deleted, including old copies:',
  // Pseudonymised, not anonymised: the record keeps its key and our customer number.
  'mail.certificate.masked': 'Pseudonymised',
  'mail.certificate.masked.intro':
    'These records were kept under an internal number only, with every detail that identifies you overwritten:',
  'mail.certificate.retained': 'Kept because the law requires it',
  'mail.certificate.retained.intro':
    'These records must be kept by law; details that identify you were removed where the law allows, and they will be erased when the retention period ends:',
  'mail.certificate.held': 'Not erased yet',
  'mail.certificate.held.intro': 'These records could not be erased yet:',
  'mail.certificate.notErased': 'Not erased',
  'mail.certificate.notErased.intro':
    'We could not erase your data in these systems; we sent you a separate email saying why:',
  'mail.certificate.until': 'until',
  'mail.certificate.nothing': 'We held no personal data about you; nothing needed erasing.',
  'mail.certificate.processorsConfirmed': 'Confirmed by our partners',
  'mail.certificate.processorsConfirmed.intro':
    'We also told the partners that process your data for us to erase it. These partners confirmed:',
  'mail.certificate.processorsFollowedUp': 'Being followed up by our support team',
  'mail.certificate.processorsFollowedUp.intro':
    'These partners have not confirmed; our support team is following up with them:',
  'mail.certificate.processorsPending': 'Waiting for our partners',
  'mail.certificate.processorsPending.intro': 'These partners have been told and have not answered yet:',
  'mail.certificate.processor.completed': 'erased your data',
  'mail.certificate.processor.not_found': 'held no data about you',
  'mail.certificate.processor.retained': 'erased your data except records the law requires it to keep',
  'mail.certificate.processorKeeps': 'keeps',

  'mail.attribute.email': 'email address',
  'mail.attribute.fullName': 'name',
  'mail.attribute.phone': 'phone number',
  'mail.attribute.address': 'address',
  'mail.attribute.companyName': 'company name',
  'mail.purpose.analytics': 'analytics',
  'mail.purpose.personalisation': 'personalisation',
  'mail.purpose.marketing': 'marketing',
  'mail.change.subject.rectify': 'Your data has been corrected',
  'mail.change.subject.restrict': 'Processing of your data is restricted',
  'mail.change.subject.lift_restriction': 'The restriction of your data is lifted',
  'mail.change.subject.withdraw_consent': 'Your consent is withdrawn',
  'mail.change.done': 'Request {requestId} {what} is done.',
  'mail.change.what.rectify': 'to correct your {attributes}',
  'mail.change.what.restrict': 'to restrict the processing of your data',
  'mail.change.what.lift_restriction': 'to lift the restriction of your data',
  'mail.change.what.withdraw_consent': 'to withdraw your consent to {purposes}',
  'mail.change.changedIn.rectify': 'Corrected in:',
  'mail.change.changedIn.restrict': 'Restricted in:',
  'mail.change.changedIn.lift_restriction': 'Restriction lifted in:',
  'mail.change.changedIn.withdraw_consent': 'Consent turned off in:',
  'mail.change.nothing': 'We hold no records this request changes.',
  'mail.change.kept': 'Kept as they were: {description} ({count} records): {reason}',
  'mail.change.after.rectify': 'Later records use the corrected details.',
  'mail.change.after.restrict':
    'We keep your data but use it for nothing else, and send you no marketing, until you ask us to lift the restriction.',
  'mail.change.after.lift_restriction': 'Your data is processed again as our privacy policy describes.',
  'mail.change.after.withdraw_consent':
    'We no longer use your data for these purposes. Withdrawing consent does not affect what was done before it.',
  'mail.change.processors': 'We also told the partners that process your data for us:',
  'mail.change.followedUp': 'not confirmed yet; our support team follows up',

  'mail.extension.subject': 'The deadline of your data request was extended',
  'mail.extension.lead':
    'We need more time to complete request {requestId} about your personal data at Impor.in.',
  'mail.extension.due': 'New due date: {when}.',
  'mail.extension.reason': 'The reason: {reason}',
  'mail.extension.questions':
    'If you have questions, reply to this email or write to privacy@impor.in. You may also complain to your data protection authority.',

  'mail.type.access': 'a copy of your data',
  'mail.type.delete': 'erasure of your data',
  'mail.type.opt_out': 'opting out of marketing',
  'mail.type.rectify': 'correction of your data',
  'mail.type.restrict': 'restriction of the processing of your data',
  'mail.type.lift_restriction': 'lifting the restriction of your data',
  'mail.type.withdraw_consent': 'withdrawing your consent',
  'mail.failedIn.access': 'could not export the data held in',
  'mail.failedIn.delete': 'could not erase the data held in',
  'mail.failedIn.opt_out': 'could not turn off marketing in',
  'mail.failedIn.rectify': 'could not correct the data held in',
  'mail.failedIn.restrict': 'could not restrict the data held in',
  'mail.failedIn.lift_restriction': 'could not lift the restriction in',
  'mail.failedIn.withdraw_consent': 'could not record the withdrawal of consent in',
  'mail.askAgain':
    'To ask again, send a new request at {url}/ or reply to this email to reach our privacy team.',
  'mail.why': 'Why: {reason}',
  'mail.exceptions.subject': 'Request {requestId} completed with exceptions',
  'mail.exceptions.lead': 'We completed request {requestId} ({type}) except for the following. We {failed}:',
  'mail.exceptions.download': 'The download link for the rest of your data comes in a separate email.',
  'mail.failed.subject': 'Request {requestId} could not be completed',
  'mail.failed.lead': 'We are sorry: we could not complete request {requestId} ({type}).',
  'mail.expired.subject': 'Request {requestId} expired',
  'mail.expired.lead':
    'Request {requestId} ({type}) was not confirmed in time, so we did not act on it and no data was changed.',
  'mail.rejected.subject': 'Request {requestId} was rejected',
  'mail.rejected.lead':
    'Request {requestId} ({type}) was rejected because a wrong confirmation code was entered too many times. We did not act on it and no data was changed.',
  'mail.rejected.askAgain':
    'If this was you: to ask again, send a new request at {url}/ or reply to this email to reach our privacy team.',
} as const;

export type MailMessageKey = keyof typeof MAIL_EN;

export const MAIL_ID: Record<MailMessageKey, string> = {
  'mail.records.one': '{count} data',
  'mail.records.other': '{count} data',
  'mail.storeRecords': '{description} ({count} catatan)',
  'mail.duration.day.one': '{count} hari',
  'mail.duration.day.other': '{count} hari',
  'mail.duration.hour.one': '{count} jam',
  'mail.duration.hour.other': '{count} jam',
  'mail.duration.minute.one': '{count} menit',
  'mail.duration.minute.other': '{count} menit',
  'mail.duration.second.one': '{count} detik',
  'mail.duration.second.other': '{count} detik',
  'mail.processor.confirmed': 'telah mengonfirmasi',
  'mail.processor.pending': 'sudah diberi tahu; menunggu konfirmasinya',

  'mail.verify.subject': 'Kode konfirmasi permintaan data Anda',
  'mail.verify.received': 'Kami menerima permintaan {requestId} atas data pribadi Anda di Impor.in.',
  'mail.verify.code': 'Kode konfirmasi: {code}',
  'mail.verify.orLink': 'Atau buka tautan ini untuk mengonfirmasi:',
  'mail.verify.link': 'Konfirmasi permintaan',
  'mail.verify.validity':
    'Kode berlaku {minutes} menit. Jika Anda tidak mengajukan permintaan ini, abaikan email ini.',
  'mail.verify.statusText': 'Ikuti kemajuan permintaan Anda (halaman ini hanya menampilkan status):',
  'mail.verify.statusLink': 'Lihat status permintaan Anda',
  'mail.verify.statusNote': '(hanya menampilkan kemajuan; tidak mengubah apa pun).',

  'mail.newAddress.subject': 'Konfirmasi alamat email baru Anda',
  'mail.newAddress.lead': 'Permintaan {requestId} mengganti alamat email akun Impor.in Anda ke alamat ini.',
  'mail.newAddress.code': 'Kode untuk alamat baru: {code}',
  'mail.newAddress.note':
    'Masukkan kode ini bersama kode yang dikirim ke alamat lama Anda. Jika Anda tidak mengajukan permintaan ini, abaikan email ini; tidak ada yang berubah.',

  'mail.export.subject': 'Salinan data Anda dari Impor.in sudah siap',
  'mail.export.subject.none': 'Kami tidak menyimpan data tentang Anda di Impor.in',
  'mail.export.lead': 'Salinan data untuk permintaan {requestId} sudah siap.',
  'mail.export.lead.none':
    'Kami telah memeriksa semua tempat kami menyimpan data untuk permintaan {requestId}. Kami tidak menyimpan data apa pun tentang Anda.',
  'mail.export.action': 'Unduh data Anda',
  'mail.export.action.none': 'Daftar tempat yang kami periksa',
  'mail.export.validText': '{action} (berlaku {days} hari):',
  'mail.export.valid': '(berlaku {days} hari).',

  'mail.scheduled.subject': 'Penghapusan data Anda di Impor.in telah dijadwalkan',
  'mail.scheduled.confirmed':
    'Permintaan {requestId} untuk menghapus data pribadi Anda di Impor.in telah dikonfirmasi.',
  'mail.scheduled.starts': 'Penghapusan dimulai dalam {wait}, pada {when}.',
  'mail.scheduled.cancelText': 'Sampai saat itu Anda dapat membatalkannya:',
  'mail.scheduled.cancelLink': 'Batalkan penghapusan',
  'mail.scheduled.cancelNote': '(hanya sebelum waktu tersebut).',
  'mail.scheduled.kept':
    'Data yang wajib kami simpan menurut hukum (misalnya catatan pajak) akan disimpan dengan alasannya; Anda akan menerima ringkasan setelah selesai.',

  'mail.optOut.subject': 'Anda tidak akan lagi menerima pemasaran dari Impor.in',
  'mail.optOut.done': 'Permintaan {requestId} untuk berhenti menerima pemasaran telah selesai.',
  'mail.optOut.none': 'Kami tidak menyimpan persetujuan pemasaran atas nama Anda.',
  'mail.optOut.off': 'Persetujuan pemasaran (email, WhatsApp, SMS, dan cookie iklan) telah dimatikan di:',
  'mail.optOut.processors':
    'Kami juga meminta mitra yang memproses data Anda untuk kami agar berhenti mengirim pemasaran kepada Anda:',
  'mail.optOut.followedUp': 'belum mengonfirmasi; tim dukungan kami sedang menindaklanjutinya',
  'mail.optOut.suppressed':
    'Alamat Anda masuk daftar penolakan kami, sehingga pendaftaran atau impor data di kemudian hari tidak akan mengaktifkannya kembali. Email tentang pesanan dan akun Anda tetap dikirim.',

  'mail.certificate.subject': 'Data Anda di Impor.in telah dihapus',
  'mail.certificate.subject.none': 'Kami tidak menyimpan data Anda di Impor.in',
  'mail.certificate.opening':
    'Kami telah memproses permintaan penghapusan {requestId}. Setelahnya kami memeriksa ulang setiap sistem untuk memastikan tidak ada lagi data Anda yang tersisa.',
  'mail.certificate.deleted': 'Dihapus',
  'mail.certificate.deleted.intro': 'Data berikut telah dihapus, termasuk salinan lamanya:',
  'mail.certificate.masked': 'Dipseudonimkan',
  'mail.certificate.masked.intro':
    'Data berikut disimpan hanya dengan nomor internal, dengan setiap rincian yang mengidentifikasi Anda ditimpa:',
  'mail.certificate.retained': 'Disimpan karena diwajibkan hukum',
  'mail.certificate.retained.intro':
    'Data berikut wajib disimpan menurut hukum; rincian yang mengidentifikasi Anda dihapus sejauh diizinkan, dan data akan dihapus saat masa simpan berakhir:',
  'mail.certificate.held': 'Belum dihapus',
  'mail.certificate.held.intro': 'Data berikut belum dapat dihapus:',
  'mail.certificate.notErased': 'Tidak dihapus',
  'mail.certificate.notErased.intro':
    'Kami tidak dapat menghapus data Anda di sistem berikut; alasannya kami kirim dalam email terpisah:',
  'mail.certificate.until': 'sampai',
  'mail.certificate.nothing':
    'Kami tidak menyimpan data pribadi apa pun tentang Anda; tidak ada yang perlu dihapus.',
  'mail.certificate.processorsConfirmed': 'Dikonfirmasi oleh mitra kami',
  'mail.certificate.processorsConfirmed.intro':
    'Kami juga meminta mitra yang memproses data Anda untuk kami agar menghapusnya. Mitra berikut telah mengonfirmasi:',
  'mail.certificate.processorsFollowedUp': 'Sedang ditindaklanjuti oleh tim dukungan kami',
  'mail.certificate.processorsFollowedUp.intro':
    'Mitra berikut belum mengonfirmasi; tim dukungan kami sedang menindaklanjutinya:',
  'mail.certificate.processorsPending': 'Menunggu mitra kami',
  'mail.certificate.processorsPending.intro': 'Mitra berikut sudah diberi tahu dan belum menjawab:',
  'mail.certificate.processor.completed': 'telah menghapus data Anda',
  'mail.certificate.processor.not_found': 'tidak menyimpan data tentang Anda',
  'mail.certificate.processor.retained':
    'telah menghapus data Anda kecuali data yang wajib disimpannya menurut hukum',
  'mail.certificate.processorKeeps': 'menyimpan',

  'mail.attribute.email': 'alamat email',
  'mail.attribute.fullName': 'nama',
  'mail.attribute.phone': 'nomor telepon',
  'mail.attribute.address': 'alamat',
  'mail.attribute.companyName': 'nama perusahaan',
  'mail.purpose.analytics': 'analitik',
  'mail.purpose.personalisation': 'personalisasi',
  'mail.purpose.marketing': 'pemasaran',
  'mail.change.subject.rectify': 'Data Anda telah dibetulkan',
  'mail.change.subject.restrict': 'Pemrosesan data Anda dibatasi',
  'mail.change.subject.lift_restriction': 'Pembatasan data Anda dicabut',
  'mail.change.subject.withdraw_consent': 'Persetujuan Anda telah ditarik',
  'mail.change.done': 'Permintaan {requestId} {what} telah selesai.',
  'mail.change.what.rectify': 'untuk membetulkan {attributes} Anda',
  'mail.change.what.restrict': 'untuk membatasi pemrosesan data Anda',
  'mail.change.what.lift_restriction': 'untuk mencabut pembatasan data Anda',
  'mail.change.what.withdraw_consent': 'untuk menarik persetujuan Anda atas {purposes}',
  'mail.change.changedIn.rectify': 'Dibetulkan di:',
  'mail.change.changedIn.restrict': 'Dibatasi di:',
  'mail.change.changedIn.lift_restriction': 'Pembatasan dicabut di:',
  'mail.change.changedIn.withdraw_consent': 'Persetujuan dimatikan di:',
  'mail.change.nothing': 'Kami tidak menyimpan catatan yang diubah oleh permintaan ini.',
  'mail.change.kept': 'Disimpan sebagaimana adanya: {description} ({count} catatan): {reason}',
  'mail.change.after.rectify': 'Catatan berikutnya memakai data yang sudah dibetulkan.',
  'mail.change.after.restrict':
    'Kami tetap menyimpan data Anda tetapi tidak menggunakannya untuk hal lain, dan tidak mengirim pemasaran, sampai Anda meminta pembatasan dicabut.',
  'mail.change.after.lift_restriction':
    'Data Anda kembali diproses sebagaimana dijelaskan kebijakan privasi kami.',
  'mail.change.after.withdraw_consent':
    'Kami tidak lagi menggunakan data Anda untuk tujuan tersebut. Penarikan persetujuan tidak memengaruhi pemrosesan sebelumnya.',
  'mail.change.processors': 'Kami juga memberi tahu mitra yang memproses data Anda untuk kami:',
  'mail.change.followedUp': 'belum mengonfirmasi; tim dukungan kami menindaklanjuti',

  'mail.extension.subject': 'Batas waktu permintaan data Anda diperpanjang',
  'mail.extension.lead':
    'Kami membutuhkan waktu lebih lama untuk menyelesaikan permintaan {requestId} atas data pribadi Anda di Impor.in.',
  'mail.extension.due': 'Batas waktu baru: {when}.',
  'mail.extension.reason': 'Alasannya: {reason}',
  'mail.extension.questions':
    'Jika Anda memiliki pertanyaan, balas email ini atau hubungi privacy@impor.in. Anda juga dapat mengajukan keluhan kepada otoritas perlindungan data.',

  'mail.type.access': 'salinan data Anda',
  'mail.type.delete': 'penghapusan data Anda',
  'mail.type.opt_out': 'berhenti menerima pemasaran',
  'mail.type.rectify': 'pembetulan data Anda',
  'mail.type.restrict': 'pembatasan pemrosesan data Anda',
  'mail.type.lift_restriction': 'pencabutan pembatasan data Anda',
  'mail.type.withdraw_consent': 'penarikan persetujuan Anda',
  'mail.failedIn.access': 'tidak dapat mengekspor data di',
  'mail.failedIn.delete': 'tidak dapat menghapus data di',
  'mail.failedIn.opt_out': 'tidak dapat menonaktifkan pemasaran di',
  'mail.failedIn.rectify': 'tidak dapat membetulkan data di',
  'mail.failedIn.restrict': 'tidak dapat membatasi data di',
  'mail.failedIn.lift_restriction': 'tidak dapat mencabut pembatasan di',
  'mail.failedIn.withdraw_consent': 'tidak dapat mencatat penarikan persetujuan di',
  'mail.askAgain':
    'Untuk mengajukan lagi, kirim permintaan baru di {url}/ atau balas email ini untuk menghubungi tim privasi kami.',
  'mail.why': 'Alasannya: {reason}',
  'mail.exceptions.subject': 'Permintaan {requestId} selesai dengan pengecualian',
  'mail.exceptions.lead':
    'Kami telah menyelesaikan permintaan {requestId} ({type}), kecuali bagian berikut. Kami {failed}:',
  'mail.exceptions.download': 'Tautan unduhan untuk data lainnya dikirim dalam email terpisah.',
  'mail.failed.subject': 'Permintaan {requestId} tidak dapat diselesaikan',
  'mail.failed.lead': 'Maaf, kami tidak dapat menyelesaikan permintaan {requestId} ({type}).',
  'mail.expired.subject': 'Permintaan {requestId} kedaluwarsa',
  'mail.expired.lead':
    'Permintaan {requestId} ({type}) tidak dikonfirmasi tepat waktu, jadi kami tidak memprosesnya dan tidak ada data yang diubah.',
  'mail.rejected.subject': 'Permintaan {requestId} ditolak',
  'mail.rejected.lead':
    'Permintaan {requestId} ({type}) ditolak karena kode konfirmasi yang salah dimasukkan terlalu sering. Kami tidak memprosesnya dan tidak ada data yang diubah.',
  'mail.rejected.askAgain':
    'Jika itu Anda, untuk mengajukan lagi, kirim permintaan baru di {url}/ atau balas email ini untuk menghubungi tim privasi kami.',
};

/** Every message an email may use: the emails' own and the pages'. */
export type MailKey = PageKey | MailMessageKey;

/** Both languages, keyed alike. */
export const MAIL_CATALOGUE: Readonly<Record<Locale, Readonly<Record<MailKey, string>>>> = {
  en: { ...PAGES.en, ...MAIL_EN },
  id: { ...PAGES.id, ...MAIL_ID },
};

/** The message `key` in `lang`, with each `{name}` replaced by `values[name]`. */
export function t(
  lang: Locale,
  key: MailKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  return fill(MAIL_CATALOGUE[lang][key], values);
}
