/**
 * THE message catalogue of every page and email a person reads (Bahasa
 * Indonesia and English): the pages' messages here, the emails' in
 * mail-messages.ts, which adds them to these (a page route bundles no email
 * text). One key, two languages: a key missing in either fails `tsc` and
 * test/unit/requester-catalogue.test.ts. `{name}` marks a value filled in.
 */
import type { Locale } from '../request';

const pagesEn = {
  'site.name': 'Impor.in',
  'site.section': 'Your personal data',
  'site.skip': 'Skip to main content',
  'site.languages': 'Language',
  'site.footer':
    'Impor.in handles your request under Indonesia’s Personal Data Protection Law (UU PDP No. 27/2022). Questions: admin@impor.in',
  'site.error': 'Error:',
  'site.optional': '(optional)',

  'form.title': 'Your data at Impor.in',
  'form.lead':
    'Ask for a copy of your data, to correct or delete it, to restrict its use, to withdraw your consent, or to stop marketing.',
  'form.type': 'What do you want to ask for?',
  'form.type.access': 'A copy of my data',
  'form.type.access.hint':
    'We collect what every Impor.in system holds about you and email you a link to download it.',
  'form.type.rectify': 'Correct my data',
  'form.type.rectify.hint': 'We change the details you give below wherever we keep them.',
  'form.type.delete': 'Delete my data',
  'form.type.delete.hint':
    'We erase your data everywhere, after a waiting period in which you can cancel. Records the law makes us keep, such as tax records (10 years, UU KUP Art. 28), are kept and named in the summary we send you.',
  'form.type.restrict': 'Restrict the use of my data',
  'form.type.restrict.hint': 'We keep your data but stop using it, except where the law requires.',
  'form.type.lift_restriction': 'Lift the restriction of my data',
  'form.type.lift_restriction.hint': 'We may use your data again as before.',
  'form.type.withdraw_consent': 'Withdraw my consent',
  'form.type.withdraw_consent.hint': 'We stop using your data for the purposes you choose below.',
  'form.type.opt_out': 'Stop marketing to me',
  'form.type.opt_out.hint':
    'No more marketing by email, WhatsApp or SMS; messages about your orders still arrive.',
  'form.corrections': 'Only for “Correct my data”: the correct details (fill in only what should change)',
  'form.correct_email': 'New email address',
  'form.correct_fullName': 'Full name',
  'form.correct_phone': 'Phone number',
  'form.correct_address': 'Business address',
  'form.correct_companyName': 'Company name',
  'form.purposes': 'Only for “Withdraw my consent”: stop using my data for',
  'form.purpose.analytics': 'Analytics (how the platform is used)',
  'form.purpose.personalisation': 'Personalisation (recommendations)',
  'form.purpose.marketing': 'Marketing',
  'form.you': 'About you',
  'form.email': 'Email address',
  'form.email.hint': 'The address your Impor.in account uses. We send a code to it.',
  'form.fullName': 'Full name',
  'form.phone': 'Phone number',
  'form.jurisdiction': 'Where do you live?',
  'form.jurisdiction.hint': 'It sets how long we may take to answer.',
  'form.jurisdiction.ID': 'Indonesia',
  'form.jurisdiction.EU': 'European Union',
  'form.jurisdiction.US-CA': 'California, USA',
  'form.next': 'What happens next',
  'form.next.code': 'We email you a 6-digit code. Enter it on the next page to show it is really you.',
  'form.next.work':
    'We then look in every Impor.in system and at the partners that process your data for us.',
  'form.next.time':
    'Indonesia: we answer within 3×24 hours (UU PDP). European Union: within one month (GDPR). California: within 45 days, 15 business days to stop marketing (CCPA).',
  'form.next.status': 'You can follow each step on a status page; the email has a link to it.',
  'form.submit': 'Send request',

  'error.summary': 'There is a problem',
  'error.type': 'Choose what you want to ask for',
  'error.email': 'Enter an email address in the correct format, like nama@contoh.co.id',
  'error.email.missing': 'Enter your email address',
  'error.fullName': 'Enter your name on one line, at most 200 characters',
  'error.phone': 'Enter a phone number of 6 to 20 digits, like +62 812 3456 7890',
  'error.jurisdiction': 'Choose where you live',
  'error.corrections': 'Fill in at least one detail to correct',
  'error.corrections.email':
    'Enter the new email address in the correct format, different from your current one',
  'error.corrections.field': 'Enter this detail on one line',
  'error.purposes': 'Choose at least one purpose',
  'error.code': 'Enter the 6-digit code from the email',
  'error.newAddressCode': 'Enter the 6-digit code sent to your new address',
  'error.csrf': 'This page was open too long or came from another site. We sent nothing; please try again.',
  'error.field': 'Check this answer',

  'code.title': 'Check your email',
  'code.lead': 'We sent a 6-digit code to the email address you gave. It works for a limited time.',
  'code.request': 'Your request number: {requestId}',
  'code.label': 'Code from the email',
  'code.newAddress': 'Code sent to your new email address',
  'code.submit': 'Confirm',
  'code.link': 'You can also open the link in that email instead.',
  'code.none': 'No email? Check your spam folder, or ask for a new code.',
  'code.resend': 'Send me a new code',
  'code.resent': 'A new code is on its way. The earlier code no longer works.',

  'status.title': 'Your request',
  'status.lead': 'Request {requestId}: {type}.',
  'status.bookmark':
    'Keep this page: the email we sent you has a link to it. It only shows progress; it cannot change your request.',
  'status.now': 'Now: {status}',
  'status.due': 'We will answer by {due}.',
  'status.dueMet': 'Answered on {at}.',
  'status.received': 'Received on {at}.',
  'status.steps': 'Steps',
  'status.step.received': 'We received your request',
  'status.step.confirmed': 'You confirmed it was you',
  'status.step.scheduled': 'Waiting period before erasure (you can still cancel with the link in the email)',
  'status.step.working': 'We work through every system that holds your data',
  'status.step.done': 'Done',
  'status.step.ended': 'Ended',
  'status.step.state.done': 'done',
  'status.step.state.current': 'in progress',
  'status.step.state.todo': 'not started',
  'status.stores': 'Where we look',
  'status.store': 'Place',
  'status.store.progress': 'Progress',
  'status.store.records': 'Records found',
  'status.store.processor': 'Partner: {name}',
  'status.store.none': 'We have not started on our systems yet.',
  'status.refresh': 'Refresh',
  'status.live': 'This page updates by itself.',
  'status.erasureStartsAt': 'Erasure starts on {at}. Until then, the link in your email cancels it.',
  'status.outcome': 'Result',
  'status.outcome.access':
    'Your copy is ready. We emailed you a download link; it works for a few days. Open it from the email.',
  'status.outcome.access.here':
    'Your copy is ready. You entered the code in this browser, so you can download it here; we also emailed you the link.',
  'status.outcome.download': 'Download your data (a zip file)',
  'status.outcome.delete.here':
    'Your data is erased, except what the law makes us keep. You entered the code in this browser, so you can read the certificate of erasure here; we also emailed you the summary.',
  'status.outcome.certificate': 'Read the certificate of erasure',
  'status.outcome.delete':
    'Your data is erased, except what the law makes us keep. We emailed you the summary and the certificate of erasure.',
  'status.outcome.other': 'Done. We emailed you what changed.',
  'status.outcome.failed':
    'Something went wrong on our side. Our support team has been told and will contact you by email.',
  'status.outcome.expired':
    'The request was not confirmed in time, so we did nothing. You can send a new one.',
  'status.outcome.rejected':
    'The request was stopped for your protection (too many wrong codes). You can send a new one.',
  'status.outcome.cancelled': 'You cancelled the deletion. Nothing was deleted.',
  'status.outcome.attention': 'A person on our team is looking at your request.',
  'status.new': 'Send a new request',
  'status.notFound.title': 'Status not available',
  'status.notFound':
    'We could not find a request for this link. Use the status link from your most recent email.',

  'type.access': 'a copy of your data',
  'type.rectify': 'correct your data',
  'type.delete': 'delete your data',
  'type.restrict': 'restrict the use of your data',
  'type.lift_restriction': 'lift the restriction of your data',
  'type.withdraw_consent': 'withdraw your consent',
  'type.opt_out': 'stop marketing',

  'state.pending_verification': 'waiting for your code',
  'state.verified': 'confirmed',
  'state.scheduled': 'waiting period before erasure',
  'state.in_progress': 'in progress',
  'state.needs_attention': 'with our support team',
  'state.completed': 'completed',
  'state.failed': 'failed',
  'state.expired': 'expired',
  'state.rejected': 'stopped',
  'state.cancelled': 'cancelled',

  'store.pending': 'waiting',
  'store.in_progress': 'in progress',
  'store.completed': 'done',
  'store.failed': 'problem, our team is on it',
  'store.escalated': 'our team is following up',

  'verify.title': 'Confirm your request',
  'verify.lead': 'Request {requestId}. Press the button to confirm it was you who asked.',
  'verify.submit': 'Yes, this was me',
  'verify.done.title': 'Request confirmed',
  'verify.done': 'Thank you: your request is confirmed. We will email you when it is done.',
  'verify.done.status': 'Follow its progress',
  'verify.refused': 'Request not confirmed',

  'cancel.title': 'Cancel the deletion of your data?',
  'cancel.lead':
    'Request {requestId} will erase your personal data at Impor.in when its waiting period ends. Press the button to stop it; nothing will be deleted.',
  'cancel.submit': 'Yes, cancel the deletion',
  'cancel.done.title': 'Deletion cancelled',
  'cancel.done': 'Nothing has been deleted. You can close this page.',
  'cancel.refused': 'Not cancelled',

  'unsubscribe.title': 'Stop marketing messages?',
  'unsubscribe.lead':
    'Press the button and Impor.in will stop sending you marketing by email, WhatsApp and SMS, and stop using your data for advertising. Messages about your orders and account are not affected.',
  'unsubscribe.submit': 'Unsubscribe',
  'unsubscribe.done.title': 'You are unsubscribed',
  'unsubscribe.done':
    'We are removing you from marketing everywhere we hold your data, and will email you a confirmation.',
  'unsubscribe.already.title': 'You are already unsubscribed',
  'unsubscribe.already': 'This link was used before; nothing more to do. You can close this page.',
  'unsubscribe.refused': 'Not unsubscribed',
  'unsubscribe.form': 'You can also ask us to stop marketing on the request form.',

  'link.invalid.title': 'This link is not valid',
  'link.invalid': 'Use the link from your most recent email.',
  'back.form': 'Back to the request form',

  'refusal.not_found': 'We could not find this request. Use the link from your most recent email.',
  'refusal.not_pending':
    'This request can no longer take this step: it is already confirmed, finished or stopped. The status link in your email shows where it is.',
  'refusal.not_ready': 'Your first email is still on its way. Please try again in a minute.',
  'refusal.link': 'This link is not valid. Use the link in the latest email.',
  'refusal.expired': 'This code or link has expired. Send a new request or ask for a new code.',
  'refusal.resend_limit':
    'We already sent the most new codes we send for one request. Please send a new request.',
  'refusal.changed': 'A new code was just sent. Check your email or try again.',
  'refusal.invalid': 'Something in what you sent is not right. Please check and try again.',
  'refusal.wrong_code': 'That code is not right. {attemptsLeft} attempt(s) left.',
  'refusal.use_link': 'Please confirm with the link in the email we sent you.',
  'refusal.session':
    'This browser did not start the request, so it cannot take its code. Open the link in the email instead.',
  'refusal.new_address_code_required': 'Enter the code sent to your new address too.',
  'refusal.rejected':
    'Too many wrong codes: the request has been stopped for your protection. Please send a new request.',
  'refusal.erasure_started': 'Erasure has already started, so it can no longer be cancelled.',
  'refusal.unavailable': 'A service we depend on is briefly unavailable. Nothing was lost; please try again.',
  'refusal.rate_limited': 'Too many tries from here. Please try again in {wait}.',
  'refusal.token_expired':
    'This link has expired. Use the link in a more recent email, or use the request form.',

  'http.title': 'Something went wrong',
  'http.400': 'The request was not understood. Please go back and try again.',
  'http.404': 'There is no such page.',
  'http.blocked':
    'This request looks unsafe and was blocked. Remove any code or markup from what you typed and try again.',
  'http.413': 'What you sent is too large.',
  'http.415': 'This page cannot take what you sent.',
  'http.429': 'Too many tries from here. Please wait a little and try again.',
  'http.500': 'Something went wrong on our side. Nothing was lost; please try again later.',
  'http.503': 'A service we depend on is briefly unavailable. Nothing was lost; please try again.',
  'wait.seconds': '{count} seconds',
  'wait.minutes': '{count} minutes',
} as const;

const en = pagesEn;

export type MessageKey = keyof typeof en;

const pagesId: Record<keyof typeof pagesEn, string> = {
  'site.name': 'Impor.in',
  'site.section': 'Data pribadi Anda',
  'site.skip': 'Langsung ke isi utama',
  'site.languages': 'Bahasa',
  'site.footer':
    'Impor.in menangani permintaan Anda berdasarkan Undang-Undang Pelindungan Data Pribadi (UU PDP No. 27/2022). Pertanyaan: admin@impor.in',
  'site.error': 'Kesalahan:',
  'site.optional': '(tidak wajib)',

  'form.title': 'Data Anda di Impor.in',
  'form.lead':
    'Minta salinan data Anda, perbaiki atau hapus data Anda, batasi penggunaannya, tarik persetujuan Anda, atau hentikan pemasaran.',
  'form.type': 'Apa yang ingin Anda minta?',
  'form.type.access': 'Salinan data saya',
  'form.type.access.hint':
    'Kami mengumpulkan semua data tentang Anda dari setiap sistem Impor.in dan mengirim tautan unduhan melalui email.',
  'form.type.rectify': 'Perbaiki data saya',
  'form.type.rectify.hint': 'Kami mengubah data yang Anda isi di bawah di semua tempat kami menyimpannya.',
  'form.type.delete': 'Hapus data saya',
  'form.type.delete.hint':
    'Kami menghapus data Anda di mana pun, setelah masa tunggu ketika Anda masih dapat membatalkannya. Catatan yang wajib kami simpan menurut hukum, seperti catatan pajak (10 tahun, UU KUP Pasal 28), tetap disimpan dan disebutkan dalam ringkasan yang kami kirim.',
  'form.type.restrict': 'Batasi penggunaan data saya',
  'form.type.restrict.hint':
    'Kami tetap menyimpan data Anda tetapi berhenti memakainya, kecuali jika diwajibkan hukum.',
  'form.type.lift_restriction': 'Cabut pembatasan data saya',
  'form.type.lift_restriction.hint': 'Kami boleh memakai data Anda lagi seperti sebelumnya.',
  'form.type.withdraw_consent': 'Tarik persetujuan saya',
  'form.type.withdraw_consent.hint': 'Kami berhenti memakai data Anda untuk tujuan yang Anda pilih di bawah.',
  'form.type.opt_out': 'Hentikan pemasaran kepada saya',
  'form.type.opt_out.hint':
    'Tidak ada lagi pemasaran melalui email, WhatsApp, atau SMS; pesan tentang pesanan Anda tetap dikirim.',
  'form.corrections': 'Hanya untuk “Perbaiki data saya”: data yang benar (isi hanya yang perlu diubah)',
  'form.correct_email': 'Alamat email baru',
  'form.correct_fullName': 'Nama lengkap',
  'form.correct_phone': 'Nomor telepon',
  'form.correct_address': 'Alamat usaha',
  'form.correct_companyName': 'Nama perusahaan',
  'form.purposes': 'Hanya untuk “Tarik persetujuan saya”: berhenti memakai data saya untuk',
  'form.purpose.analytics': 'Analitik (cara platform digunakan)',
  'form.purpose.personalisation': 'Personalisasi (rekomendasi)',
  'form.purpose.marketing': 'Pemasaran',
  'form.you': 'Tentang Anda',
  'form.email': 'Alamat email',
  'form.email.hint': 'Alamat yang dipakai akun Impor.in Anda. Kami mengirim kode ke alamat ini.',
  'form.fullName': 'Nama lengkap',
  'form.phone': 'Nomor telepon',
  'form.jurisdiction': 'Di mana Anda tinggal?',
  'form.jurisdiction.hint': 'Ini menentukan berapa lama waktu kami untuk menjawab.',
  'form.jurisdiction.ID': 'Indonesia',
  'form.jurisdiction.EU': 'Uni Eropa',
  'form.jurisdiction.US-CA': 'California, AS',
  'form.next': 'Apa yang terjadi selanjutnya',
  'form.next.code':
    'Kami mengirim kode 6 angka ke email Anda. Masukkan kode itu di halaman berikutnya untuk membuktikan bahwa ini benar Anda.',
  'form.next.work':
    'Lalu kami memeriksa setiap sistem Impor.in dan mitra yang memproses data Anda untuk kami.',
  'form.next.time':
    'Indonesia: kami menjawab dalam 3×24 jam (UU PDP). Uni Eropa: dalam satu bulan (GDPR). California: dalam 45 hari, 15 hari kerja untuk menghentikan pemasaran (CCPA).',
  'form.next.status': 'Anda dapat mengikuti setiap langkah di halaman status; email kami berisi tautannya.',
  'form.submit': 'Kirim permintaan',

  'error.summary': 'Ada masalah',
  'error.type': 'Pilih apa yang ingin Anda minta',
  'error.email': 'Masukkan alamat email dengan format yang benar, seperti nama@contoh.co.id',
  'error.email.missing': 'Masukkan alamat email Anda',
  'error.fullName': 'Masukkan nama Anda dalam satu baris, paling banyak 200 karakter',
  'error.phone': 'Masukkan nomor telepon 6 sampai 20 angka, seperti +62 812 3456 7890',
  'error.jurisdiction': 'Pilih tempat tinggal Anda',
  'error.corrections': 'Isi paling sedikit satu data yang perlu diperbaiki',
  'error.corrections.email':
    'Masukkan alamat email baru dengan format yang benar, berbeda dari alamat Anda sekarang',
  'error.corrections.field': 'Isi data ini dalam satu baris',
  'error.purposes': 'Pilih paling sedikit satu tujuan',
  'error.code': 'Masukkan kode 6 angka dari email',
  'error.newAddressCode': 'Masukkan kode 6 angka yang dikirim ke alamat baru Anda',
  'error.csrf':
    'Halaman ini terbuka terlalu lama atau berasal dari situs lain. Tidak ada yang terkirim; silakan coba lagi.',
  'error.field': 'Periksa jawaban ini',

  'code.title': 'Periksa email Anda',
  'code.lead':
    'Kami mengirim kode 6 angka ke alamat email yang Anda berikan. Kode ini berlaku untuk waktu terbatas.',
  'code.request': 'Nomor permintaan Anda: {requestId}',
  'code.label': 'Kode dari email',
  'code.newAddress': 'Kode yang dikirim ke alamat email baru Anda',
  'code.submit': 'Konfirmasi',
  'code.link': 'Anda juga dapat membuka tautan di email tersebut.',
  'code.none': 'Tidak ada email? Periksa folder spam, atau minta kode baru.',
  'code.resend': 'Kirim kode baru',
  'code.resent': 'Kode baru sedang dikirim. Kode sebelumnya tidak berlaku lagi.',

  'status.title': 'Permintaan Anda',
  'status.lead': 'Permintaan {requestId}: {type}.',
  'status.bookmark':
    'Simpan halaman ini: email yang kami kirim berisi tautannya. Halaman ini hanya menampilkan kemajuan; tidak dapat mengubah permintaan Anda.',
  'status.now': 'Saat ini: {status}',
  'status.due': 'Kami akan menjawab paling lambat {due}.',
  'status.dueMet': 'Dijawab pada {at}.',
  'status.received': 'Diterima pada {at}.',
  'status.steps': 'Langkah',
  'status.step.received': 'Kami menerima permintaan Anda',
  'status.step.confirmed': 'Anda mengonfirmasi bahwa ini Anda',
  'status.step.scheduled':
    'Masa tunggu sebelum penghapusan (Anda masih dapat membatalkannya dengan tautan di email)',
  'status.step.working': 'Kami memproses setiap sistem yang menyimpan data Anda',
  'status.step.done': 'Selesai',
  'status.step.ended': 'Berakhir',
  'status.step.state.done': 'selesai',
  'status.step.state.current': 'sedang berjalan',
  'status.step.state.todo': 'belum dimulai',
  'status.stores': 'Tempat yang kami periksa',
  'status.store': 'Tempat',
  'status.store.progress': 'Kemajuan',
  'status.store.records': 'Catatan ditemukan',
  'status.store.processor': 'Mitra: {name}',
  'status.store.none': 'Kami belum mulai memeriksa sistem kami.',
  'status.refresh': 'Muat ulang',
  'status.live': 'Halaman ini diperbarui sendiri.',
  'status.erasureStartsAt':
    'Penghapusan dimulai pada {at}. Sampai saat itu, tautan di email Anda dapat membatalkannya.',
  'status.outcome': 'Hasil',
  'status.outcome.access':
    'Salinan data Anda sudah siap. Kami mengirim tautan unduhan melalui email; tautan itu berlaku beberapa hari. Buka dari email tersebut.',
  'status.outcome.access.here':
    'Salinan data Anda sudah siap. Anda memasukkan kode di peramban ini, jadi Anda dapat mengunduhnya di sini; tautannya juga kami kirim melalui email.',
  'status.outcome.download': 'Unduh data Anda (berkas zip)',
  'status.outcome.delete.here':
    'Data Anda sudah dihapus, kecuali yang wajib kami simpan menurut hukum. Anda memasukkan kode di peramban ini, jadi Anda dapat membaca sertifikat penghapusan di sini; ringkasannya juga kami kirim melalui email.',
  'status.outcome.certificate': 'Baca sertifikat penghapusan',
  'status.outcome.delete':
    'Data Anda sudah dihapus, kecuali yang wajib kami simpan menurut hukum. Kami mengirim ringkasan dan sertifikat penghapusan melalui email.',
  'status.outcome.other': 'Selesai. Kami mengirim rincian perubahannya melalui email.',
  'status.outcome.failed':
    'Terjadi kesalahan di pihak kami. Tim dukungan kami sudah diberi tahu dan akan menghubungi Anda melalui email.',
  'status.outcome.expired':
    'Permintaan tidak dikonfirmasi tepat waktu, jadi kami tidak melakukan apa pun. Anda dapat mengirim permintaan baru.',
  'status.outcome.rejected':
    'Permintaan dihentikan demi keamanan Anda (terlalu banyak kode salah). Anda dapat mengirim permintaan baru.',
  'status.outcome.cancelled': 'Anda membatalkan penghapusan. Tidak ada data yang dihapus.',
  'status.outcome.attention': 'Seorang anggota tim kami sedang menangani permintaan Anda.',
  'status.new': 'Kirim permintaan baru',
  'status.notFound.title': 'Status tidak tersedia',
  'status.notFound':
    'Kami tidak menemukan permintaan untuk tautan ini. Gunakan tautan status dari email terbaru Anda.',

  'type.access': 'salinan data Anda',
  'type.rectify': 'perbaikan data Anda',
  'type.delete': 'penghapusan data Anda',
  'type.restrict': 'pembatasan penggunaan data Anda',
  'type.lift_restriction': 'pencabutan pembatasan data Anda',
  'type.withdraw_consent': 'penarikan persetujuan Anda',
  'type.opt_out': 'penghentian pemasaran',

  'state.pending_verification': 'menunggu kode Anda',
  'state.verified': 'dikonfirmasi',
  'state.scheduled': 'masa tunggu sebelum penghapusan',
  'state.in_progress': 'sedang diproses',
  'state.needs_attention': 'ditangani tim dukungan kami',
  'state.completed': 'selesai',
  'state.failed': 'gagal',
  'state.expired': 'kedaluwarsa',
  'state.rejected': 'dihentikan',
  'state.cancelled': 'dibatalkan',

  'store.pending': 'menunggu',
  'store.in_progress': 'sedang diproses',
  'store.completed': 'selesai',
  'store.failed': 'ada masalah, tim kami menanganinya',
  'store.escalated': 'tim kami sedang menindaklanjuti',

  'verify.title': 'Konfirmasi permintaan Anda',
  'verify.lead': 'Permintaan {requestId}. Tekan tombol untuk mengonfirmasi bahwa Andalah yang meminta.',
  'verify.submit': 'Ya, ini saya',
  'verify.done.title': 'Permintaan dikonfirmasi',
  'verify.done':
    'Terima kasih: permintaan Anda sudah dikonfirmasi. Kami akan mengirim email setelah selesai.',
  'verify.done.status': 'Ikuti kemajuannya',
  'verify.refused': 'Permintaan tidak dikonfirmasi',

  'cancel.title': 'Batalkan penghapusan data Anda?',
  'cancel.lead':
    'Permintaan {requestId} akan menghapus data pribadi Anda di Impor.in setelah masa tunggu berakhir. Tekan tombol untuk membatalkannya; tidak ada data yang dihapus.',
  'cancel.submit': 'Ya, batalkan penghapusan',
  'cancel.done.title': 'Penghapusan dibatalkan',
  'cancel.done': 'Tidak ada data yang dihapus. Anda dapat menutup halaman ini.',
  'cancel.refused': 'Tidak dibatalkan',

  'unsubscribe.title': 'Berhenti menerima pemasaran?',
  'unsubscribe.lead':
    'Tekan tombol ini dan Impor.in akan berhenti mengirimi Anda pemasaran melalui email, WhatsApp, dan SMS, serta berhenti memakai data Anda untuk iklan. Pesan tentang pesanan dan akun Anda tidak terpengaruh.',
  'unsubscribe.submit': 'Berhenti berlangganan',
  'unsubscribe.done.title': 'Anda telah berhenti berlangganan',
  'unsubscribe.done':
    'Kami menghapus Anda dari pemasaran di semua tempat kami menyimpan data Anda, dan akan mengirim konfirmasi melalui email.',
  'unsubscribe.already.title': 'Anda sudah berhenti berlangganan',
  'unsubscribe.already':
    'Tautan ini sudah pernah dipakai; tidak ada lagi yang perlu dilakukan. Anda dapat menutup halaman ini.',
  'unsubscribe.refused': 'Tidak berhenti berlangganan',
  'unsubscribe.form': 'Anda juga dapat meminta kami menghentikan pemasaran melalui formulir permintaan.',

  'link.invalid.title': 'Tautan ini tidak valid',
  'link.invalid': 'Gunakan tautan dari email terbaru Anda.',
  'back.form': 'Kembali ke formulir permintaan',

  'refusal.not_found': 'Kami tidak menemukan permintaan ini. Gunakan tautan dari email terbaru Anda.',
  'refusal.not_pending':
    'Permintaan ini tidak dapat lagi menjalani langkah ini: sudah dikonfirmasi, selesai, atau dihentikan. Tautan status di email Anda menunjukkan posisinya.',
  'refusal.not_ready': 'Email pertama Anda masih dalam perjalanan. Silakan coba lagi dalam satu menit.',
  'refusal.link': 'Tautan ini tidak valid. Gunakan tautan di email terbaru.',
  'refusal.expired': 'Kode atau tautan ini sudah kedaluwarsa. Kirim permintaan baru atau minta kode baru.',
  'refusal.resend_limit':
    'Kami sudah mengirim kode baru sebanyak batas untuk satu permintaan. Silakan kirim permintaan baru.',
  'refusal.changed': 'Kode baru baru saja dikirim. Periksa email Anda atau coba lagi.',
  'refusal.invalid': 'Ada yang tidak benar dalam data yang Anda kirim. Silakan periksa dan coba lagi.',
  'refusal.wrong_code': 'Kode itu salah. Sisa {attemptsLeft} kali percobaan.',
  'refusal.use_link': 'Silakan konfirmasi dengan tautan di email yang kami kirim.',
  'refusal.session':
    'Peramban ini tidak memulai permintaan tersebut, jadi tidak dapat menerima kodenya. Buka tautan di email sebagai gantinya.',
  'refusal.new_address_code_required': 'Masukkan juga kode yang dikirim ke alamat baru Anda.',
  'refusal.rejected':
    'Terlalu banyak kode salah: permintaan dihentikan demi keamanan Anda. Silakan kirim permintaan baru.',
  'refusal.erasure_started': 'Penghapusan sudah dimulai, jadi tidak dapat dibatalkan lagi.',
  'refusal.unavailable':
    'Layanan yang kami gunakan sedang tidak tersedia sebentar. Tidak ada yang hilang; silakan coba lagi.',
  'refusal.rate_limited': 'Terlalu banyak percobaan dari sini. Silakan coba lagi dalam {wait}.',
  'refusal.token_expired':
    'Tautan ini sudah kedaluwarsa. Gunakan tautan di email yang lebih baru, atau gunakan formulir permintaan.',

  'http.title': 'Terjadi kesalahan',
  'http.400': 'Permintaan tidak dapat dipahami. Silakan kembali dan coba lagi.',
  'http.404': 'Halaman ini tidak ada.',
  'http.blocked':
    'Permintaan ini tampak tidak aman dan diblokir. Hapus kode atau markup dari yang Anda ketik, lalu coba lagi.',
  'http.413': 'Data yang Anda kirim terlalu besar.',
  'http.415': 'Halaman ini tidak dapat menerima data yang Anda kirim.',
  'http.429': 'Terlalu banyak percobaan dari sini. Silakan tunggu sebentar dan coba lagi.',
  'http.500': 'Terjadi kesalahan di pihak kami. Tidak ada yang hilang; silakan coba lagi nanti.',
  'http.503':
    'Layanan yang kami gunakan sedang tidak tersedia sebentar. Tidak ada yang hilang; silakan coba lagi.',
  'wait.seconds': '{count} detik',
  'wait.minutes': '{count} menit',
};

const id: Record<MessageKey, string> = pagesId;

/** Both languages, keyed alike. */
export const CATALOGUE: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { en, id };

/** The message `key` in `lang`, with each `{name}` replaced by `values[name]`. */
export function t(
  lang: Locale,
  key: MessageKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  return fill(CATALOGUE[lang][key], values);
}

/** `text` with each `{name}` replaced by `values[name]` (others left as they are). */
export function fill(text: string, values: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** The language that is not `lang`. */
export const otherLocale = (lang: Locale): Locale => (lang === 'id' ? 'en' : 'id');

/** Each language's own name, as the switch shows it. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { id: 'Bahasa Indonesia', en: 'English' };
