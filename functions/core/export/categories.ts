import type { DataCategory } from '../data-map';

/** A label a person can read, in English and Bahasa Indonesia. */
export interface CategoryLabel {
  readonly en: string;
  readonly id: string;
}

/**
 * Plain-words names of the privacy policy's data categories (EN / ID), for the
 * export's index.html, emails and the status page. Exhaustive over DataCategory.
 */
export const CATEGORY_LABELS: Readonly<Record<DataCategory, CategoryLabel>> = {
  registration: { en: 'Registration information', id: 'Informasi pendaftaran' },
  transaction: { en: 'Transaction information', id: 'Informasi transaksi' },
  communication: { en: 'Communications', id: 'Komunikasi' },
  device: { en: 'Device & technology data', id: 'Data perangkat & teknologi' },
  activity: { en: 'Activity on the platform', id: 'Aktivitas di platform' },
  marketing: { en: 'Marketing preferences', id: 'Preferensi pemasaran' },
};

/** "English / Indonesia" label of one category, e.g. "Communications / Komunikasi". */
export function categoryLabel(category: DataCategory): string {
  const label = CATEGORY_LABELS[category];
  return `${label.en} / ${label.id}`;
}
