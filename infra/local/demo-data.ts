import { randomUUID } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { base, en, Faker, id_ID } from '@faker-js/faker';
import { createConnector } from '../../functions/connectors/registry';
import { resolveSubject } from '../../functions/connectors/resolve-subject';
import { type DataMap, type DynamoDbStore, isDataStore, type S3Store } from '../../functions/core/data-map';
import type { Subject } from '../../functions/core/ports';
import { subjectLookupForm } from '../../functions/core/request';
import type { ProcessorRole, ProcessorSink } from './processors/holdings';

export type { ProcessorSink } from './processors/holdings';

/** The SDK clients seeding writes through (the same ones the connectors read with). */
export interface DemoClients {
  readonly dynamodb: DynamoDBDocumentClient;
  readonly s3: S3Client;
}

export interface PlantOptions {
  readonly email: string;
  readonly fullName?: string;
  readonly phone?: string;
  /** Orders, messages, activity events and documents to add (each); default 5. */
  readonly records?: number;
  /**
   * Statuses given to the planted orders, cycled in order (e.g. `['delivered']`
   * for only closed orders, `['in_transit', 'paid']` for every other one open);
   * default random.
   */
  readonly orderStatuses?: readonly string[];
  /** Documents to add when not `records` (uploads are the slowest to write locally). */
  readonly documents?: number;
  /** Also give the processors (logistics, payments) their records about these orders. */
  readonly processors?: ProcessorSink;
}

export interface PopulationOptions {
  readonly customers: number;
  /** Faker seed: the same seed yields the same population (re-seeding overwrites, never duplicates). */
  readonly seed?: number;
  /** Also give the processors (logistics, payments) their records about each customer's orders. */
  readonly processors?: ProcessorSink;
}

type Item = Record<string, unknown>;
interface S3Object {
  readonly key: string;
  readonly body: string | Uint8Array;
  readonly contentType: string;
}

/** One customer's footprint in every demo store, before it is written. */
interface Footprint {
  customer?: Item;
  preferences?: Item;
  orders: Item[];
  messages: Item[];
  /** Activity events grouped by object key (one object per day). */
  activity: Map<string, Item[]>;
  documents: S3Object[];
}

const HS_ITEMS = [
  { hsCode: '8517.13.00', description: 'Smartphone', minIdr: 1_500_000, maxIdr: 9_000_000 },
  { hsCode: '8471.30.20', description: 'Laptop', minIdr: 5_000_000, maxIdr: 25_000_000 },
  { hsCode: '8518.30.10', description: 'Wireless headphones', minIdr: 250_000, maxIdr: 3_000_000 },
  { hsCode: '6403.99.90', description: 'Leather shoes', minIdr: 300_000, maxIdr: 2_500_000 },
  { hsCode: '6109.10.10', description: 'Cotton T-shirts', minIdr: 50_000, maxIdr: 250_000 },
  { hsCode: '3304.99.30', description: 'Skincare set', minIdr: 150_000, maxIdr: 1_200_000 },
  { hsCode: '9503.00.99', description: 'Toy building blocks', minIdr: 100_000, maxIdr: 1_500_000 },
  { hsCode: '4202.21.10', description: 'Leather handbag', minIdr: 500_000, maxIdr: 8_000_000 },
  { hsCode: '8509.40.00', description: 'Kitchen blender', minIdr: 300_000, maxIdr: 2_000_000 },
  { hsCode: '9102.11.00', description: 'Wristwatch', minIdr: 400_000, maxIdr: 6_000_000 },
] as const;
/** Order statuses the demo uses; the data map holds `in_transit` and `unpaid` orders (open orders). */
export const ORDER_STATUSES = ['in_transit', 'delivered', 'unpaid', 'paid'] as const;
const PAYMENT_METHODS = ['credit_card', 'bank_transfer', 'gopay', 'ovo', 'qris', 'virtual_account'] as const;
const CHANNELS = ['email', 'whatsapp', 'support_chat'] as const;
const PAGES = [
  '/',
  '/track',
  '/orders',
  '/calculator/duty',
  '/checkout',
  '/account',
  '/help/customs',
  '/promo',
];
const EVENT_TYPES = ['page_view', 'click', 'search', 'login', 'add_to_cart'] as const;
const DEVICES = [
  { os: 'Android 14', browser: 'Chrome Mobile 129' },
  { os: 'iOS 18.1', browser: 'Mobile Safari 18' },
  { os: 'Windows 11', browser: 'Chrome 130' },
  { os: 'macOS 15', browser: 'Safari 18' },
  { os: 'Android 13', browser: 'Samsung Internet 26' },
] as const;
// Each message with its subject line: one draw picks both, so seeded populations stay as they were.
const MESSAGES_IN = [
  { subject: 'Posisi paket saya', body: 'Halo, paket saya sudah sampai mana ya?' },
  { subject: 'Bea masuk dan PPN', body: 'Apakah bea masuk untuk barang ini sudah termasuk PPN?' },
  { subject: 'Ubah alamat pengiriman', body: 'Saya ingin mengubah alamat pengiriman, bisa dibantu?' },
  { subject: 'Invoice belum diterima', body: 'Invoice untuk pesanan saya belum saya terima.' },
  { subject: 'Estimasi keluar bea cukai', body: 'Kapan estimasi barang keluar dari bea cukai?' },
];
const MESSAGES_OUT = [
  {
    subject: 'Re: Status clearance pesanan',
    body: 'Terima kasih, pesanan Anda sedang dalam proses clearance di bea cukai.',
  },
  { subject: 'Re: Invoice dikirim ulang', body: 'Invoice sudah kami kirim ulang ke email Anda.' },
  { subject: 'Re: Alamat diperbarui', body: 'Alamat pengiriman sudah kami perbarui.' },
  { subject: 'Re: Jadwal kedatangan paket', body: 'Paket Anda dijadwalkan tiba dalam 2-3 hari kerja.' },
  { subject: 'Re: Pembayaran diterima', body: 'Pembayaran bea masuk dan PPN sudah kami terima.' },
];

function newFaker(seed: number, refDate?: Date): Faker {
  const faker = new Faker({ locale: [id_ID, en, base], seed });
  if (refDate) faker.setDefaultRefDate(refDate);
  return faker;
}

const ascii = (s: string) =>
  s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

const mobile = (f: Faker) =>
  `+628${f.helpers.arrayElement(['11', '12', '13', '21', '52', '56', '57', '77', '95'])}${f.string.numeric(7)}`;

function npwp(f: Faker): string {
  const d = f.string.numeric(15);
  return `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}.${d.slice(8, 9)}-${d.slice(9, 12)}.${d.slice(12, 15)}`;
}

/** A tiny but well-formed one-page PDF holding a few lines of text. */
function fakePdf(lines: readonly string[]): Uint8Array {
  const text = lines
    .map((l, i) => `BT /F1 11 Tf 50 ${780 - i * 16} Td (${l.replace(/[()\\]/g, '')}) Tj ET`)
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function customerItem(
  f: Faker,
  customerId: string,
  email: string,
  fullName: string,
  phone: string,
  createdAt: Date,
): Item {
  return {
    customerId,
    email,
    fullName,
    phone,
    businessName: f.company.name(),
    businessAddress: f.location.streetAddress(true),
    city: f.location.city(),
    npwp: npwp(f),
    passwordHash: `$argon2id$v=19$m=65536,t=3,p=4$${f.string.alphanumeric(22)}$${f.string.alphanumeric(43)}`,
    createdAt: createdAt.toISOString(),
  };
}

function preferencesItem(f: Faker, customerId: string): Item {
  return {
    customerId,
    emailOptIn: f.datatype.boolean(0.7),
    whatsappOptIn: f.datatype.boolean(0.5),
    smsOptIn: f.datatype.boolean(0.2),
    advertisingCookies: f.datatype.boolean(0.4),
    // Given at sign-up; fixed values, so the seeded data that follows stays as it was.
    analyticsCookies: true,
    personalisedRecommendations: true,
    updatedAt: f.date.recent({ days: 90 }).toISOString(),
  };
}

function orderItem(
  f: Faker,
  customer: { customerId: string; email: string; fullName: string; phone: string },
  status?: string,
): Item {
  const items = f.helpers.multiple(
    () => {
      const kind = f.helpers.arrayElement(HS_ITEMS);
      const quantity = f.number.int({ min: 1, max: 4 });
      const unitPriceIdr = f.number.int({ min: kind.minIdr, max: kind.maxIdr, multipleOf: 1000 });
      return { hsCode: kind.hsCode, description: kind.description, quantity, unitPriceIdr };
    },
    { count: { min: 1, max: 3 } },
  );
  const amountIdr = items.reduce((sum, i) => sum + i.quantity * i.unitPriceIdr, 0);
  const dutyIdr = Math.round(amountIdr * 0.075);
  const vatIdr = Math.round((amountIdr + dutyIdr) * 0.11);
  const paymentMethod = f.helpers.arrayElement(PAYMENT_METHODS);
  const recipientIsCustomer = f.datatype.boolean(0.8);
  return {
    orderId: `ORD-${f.string.alphanumeric({ length: 12, casing: 'upper' })}`,
    customerId: customer.customerId,
    createdAt: f.date.past({ years: 2 }).toISOString(),
    status: status ?? f.helpers.arrayElement(ORDER_STATUSES),
    items,
    amountIdr,
    dutyIdr,
    vatIdr,
    paymentMethod,
    ...(paymentMethod === 'credit_card' ? { paymentCardLast4: f.string.numeric(4) } : {}),
    recipientName: recipientIsCustomer ? customer.fullName : f.person.fullName(),
    recipientPhone: recipientIsCustomer ? customer.phone : mobile(f),
    shippingAddress: `${f.location.streetAddress(true)}, ${f.location.city()} ${f.location.zipCode()}`,
    customerEmail: customer.email,
  };
}

function messageItem(f: Faker, customerId: string): Item {
  const sentAt = f.date.past({ years: 1 }).toISOString();
  const direction = f.helpers.arrayElement(['inbound', 'outbound'] as const);
  return {
    customerId,
    messageId: `${sentAt}#${f.string.alphanumeric({ length: 8, casing: 'lower' })}`,
    channel: f.helpers.arrayElement(CHANNELS),
    direction,
    ...f.helpers.arrayElement(direction === 'inbound' ? MESSAGES_IN : MESSAGES_OUT),
  };
}

/** `events` activity events spread over up to `maxDays` days (one JSON Lines object per day). */
function activityEvents(f: Faker, customerId: string, events: number, maxDays = 3): Map<string, Item[]> {
  const days = f.helpers.multiple(() => f.date.recent({ days: 60 }).toISOString().slice(0, 10), {
    count: Math.min(maxDays, Math.max(1, events)),
  });
  const device = f.helpers.arrayElement(DEVICES);
  const userAgent = f.internet.userAgent();
  const ip = f.internet.ipv4();
  const byKey = new Map<string, Item[]>();
  for (let i = 0; i < events; i++) {
    const day = days[i % days.length] as string;
    const key = `activity/${customerId}/${day}.jsonl`;
    const ts = new Date(`${day}T${String(f.number.int({ min: 0, max: 23 })).padStart(2, '0')}:00:00Z`);
    ts.setUTCMinutes(f.number.int({ min: 0, max: 59 }), f.number.int({ min: 0, max: 59 }));
    const list = byKey.get(key) ?? [];
    list.push({
      type: f.helpers.arrayElement(EVENT_TYPES),
      page: f.helpers.arrayElement(PAGES),
      ts: ts.toISOString(),
      sessionId: `s-${f.string.alphanumeric({ length: 10, casing: 'lower' })}`,
      device: { ...device, userAgent },
      ip,
    });
    byKey.set(key, list);
  }
  return byKey;
}

function documentObject(f: Faker, customer: Item, index: number): S3Object {
  const prefix = `documents/${String(customer.customerId)}/`;
  const suffix = f.string.alphanumeric({ length: 6, casing: 'lower' });
  const kind = index % 3;
  if (kind === 2) {
    const body = `PACKING LIST\nShipper: ${f.company.name()}\nConsignee: ${String(customer.businessName)}\nCartons: ${f.number.int({ min: 1, max: 20 })}\n`;
    return { key: `${prefix}packing-list-${suffix}.txt`, body, contentType: 'text/plain' };
  }
  const title = kind === 0 ? 'COMMERCIAL INVOICE' : 'ANGKA PENGENAL IMPORTIR (API)';
  const name = kind === 0 ? `invoice-INV-${suffix.toUpperCase()}.pdf` : `api-permit-${suffix}.pdf`;
  const body = fakePdf([
    title,
    `Importir: ${String(customer.businessName)}`,
    `NPWP: ${String(customer.npwp)}`,
  ]);
  return { key: `${prefix}${name}`, body, contentType: 'application/pdf' };
}

/** How the payment gateway shows the instrument: never a full card number or phone. */
function maskedInstrument(order: Item, phone: string): string {
  const orderDigits = String(order.orderId).replace(/\D/g, '').padStart(4, '0').slice(-4);
  switch (order.paymentMethod) {
    case 'credit_card':
      return `**** **** **** ${String(order.paymentCardLast4 ?? '0000')}`;
    case 'gopay':
    case 'ovo':
      return `${String(order.paymentMethod)} ${phone.slice(0, 4)}******${phone.slice(-3)}`;
    case 'qris':
      return 'QRIS';
    default:
      return `VA ****${orderDigits}`;
  }
}

/**
 * What a processor holds about a customer's orders: the logistics company a
 * shipment per shipped order (recipient, phone, address), the payment gateway
 * a payment per paid order (payer, masked instrument, amount). Unpaid orders
 * reached neither. Derived from the orders without drawing random numbers, so
 * seeding stays reproducible.
 */
export function processorRecords(
  role: ProcessorRole,
  customer: { readonly fullName: string; readonly email: string; readonly phone: string },
  orders: readonly Item[],
): Record<string, unknown>[] {
  const reached = orders.filter((o) => o.status !== 'unpaid');
  const suffix = (o: Item) => String(o.orderId).replace(/^ORD-/, '');
  if (role === 'logistics') {
    return reached.map((o) => ({
      shipmentId: `SHP-${suffix(o)}`,
      orderId: o.orderId,
      recipientName: o.recipientName,
      recipientPhone: o.recipientPhone,
      deliveryAddress: o.shippingAddress,
      status: o.status === 'in_transit' ? 'in_transit' : 'delivered',
      bookedAt: o.createdAt,
      marketing: true,
    }));
  }
  return reached.map((o) => ({
    paymentId: `PAY-${suffix(o)}`,
    orderId: o.orderId,
    payerName: customer.fullName,
    payerEmail: customer.email,
    method: o.paymentMethod,
    instrument: maskedInstrument(o, customer.phone),
    amountIdr: Number(o.amountIdr) + Number(o.dutyIdr) + Number(o.vatIdr),
    paidAt: o.createdAt,
    marketing: true,
  }));
}

/** Gives every processor in the sink its records about these orders (nothing when it has none). */
async function plantAtProcessors(
  sink: ProcessorSink | undefined,
  customer: {
    readonly customerId: string;
    readonly fullName: string;
    readonly email: string;
    readonly phone: string;
  },
  orders: readonly Item[],
): Promise<void> {
  if (!sink) return;
  for (const processor of sink.processors) {
    const records = processorRecords(processor.role, customer, orders);
    if (records.length === 0) continue;
    await sink.plant(processor.id, { customerId: customer.customerId, email: customer.email, records });
  }
}

function footprint(f: Faker, customer: Item, records: number, withAccount: boolean): Footprint {
  const c = {
    customerId: String(customer.customerId),
    email: String(customer.email),
    fullName: String(customer.fullName),
    phone: String(customer.phone),
  };
  return {
    ...(withAccount ? { customer, preferences: preferencesItem(f, c.customerId) } : {}),
    orders: Array.from({ length: records }, () => orderItem(f, c)),
    messages: Array.from({ length: records }, () => messageItem(f, c.customerId)),
    activity: activityEvents(f, c.customerId, records),
    documents: Array.from({ length: records }, (_, i) => documentObject(f, customer, i)),
  };
}

function dynamoStore(dataMap: DataMap, id: string): DynamoDbStore {
  const store = dataMap.stores.find((s) => s.id === id);
  if (store?.kind !== 'dynamodb') throw new Error(`demo data map has no DynamoDB store "${id}"`);
  return store;
}

function s3Store(dataMap: DataMap, id: string): S3Store {
  const store = dataMap.stores.find((s) => s.id === id);
  if (store?.kind !== 's3') throw new Error(`demo data map has no S3 store "${id}"`);
  return store;
}

/** Runs `work` over `inputs` with at most `limit` in flight. */
async function pool<T>(
  inputs: readonly T[],
  limit: number,
  work: (input: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const input = inputs[next++] as T;
      await work(input);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
}

async function batchWrite(
  client: DynamoDBDocumentClient,
  table: string,
  items: readonly Item[],
): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await pool(chunks, 8, async (chunk) => {
    let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`batch write to ${table} kept returning unprocessed items`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const out = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  });
}

async function readText(client: S3Client, bucket: string, key: string): Promise<string> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return '';
    throw error;
  }
}

async function writeFootprints(
  clients: DemoClients,
  dataMap: DataMap,
  footprints: readonly Footprint[],
  appendActivity: boolean,
): Promise<void> {
  const tables: [string, Item[]][] = [
    ['customers', footprints.flatMap((p) => (p.customer ? [p.customer] : []))],
    ['marketing-preferences', footprints.flatMap((p) => (p.preferences ? [p.preferences] : []))],
    ['orders', footprints.flatMap((p) => p.orders)],
    ['messages', footprints.flatMap((p) => p.messages)],
  ];
  const activity = s3Store(dataMap, 'activity');
  const documents = s3Store(dataMap, 'documents');
  const objects: { bucket: string; object: S3Object }[] = [
    ...footprints.flatMap((p) => p.documents.map((object) => ({ bucket: documents.bucket, object }))),
  ];
  for (const p of footprints) {
    for (const [key, events] of p.activity) {
      // A day's object may already hold events: append so earlier records stay countable.
      const existing = appendActivity ? await readText(clients.s3, activity.bucket, key) : '';
      const lines = events.map((e) => JSON.stringify(e)).join('\n');
      const body = existing.trim() ? `${existing.trimEnd()}\n${lines}\n` : `${lines}\n`;
      objects.push({ bucket: activity.bucket, object: { key, body, contentType: 'application/x-ndjson' } });
    }
  }
  await Promise.all([
    ...tables.map(([id, items]) => batchWrite(clients.dynamodb, dynamoStore(dataMap, id).table, items)),
    pool(objects, 32, async ({ bucket, object }) => {
      await clients.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: object.key,
          Body: object.body,
          ContentType: object.contentType,
        }),
      );
    }),
  ]);
}

/** Counts what the connectors export for the email, per store: the unit of the export manifest. */
export async function countFootprint(
  clients: DemoClients,
  dataMap: DataMap,
  email: string,
): Promise<Record<string, number>> {
  const subject = await resolveSubject(dataMap, clients, email);
  const counts: Record<string, number> = {};
  // Processors hold their own records; only the stores we hold data in are counted.
  for (const store of dataMap.stores.filter(isDataStore)) {
    let n = 0;
    for await (const page of createConnector(store, clients).export(subject)) n += page.length;
    counts[store.id] = n;
  }
  return counts;
}

/** The account item already held for a subject, so added orders carry its real name and phone. */
async function existingAccount(
  clients: DemoClients,
  dataMap: DataMap,
  subject: Subject,
  customerId: string,
): Promise<Item> {
  for await (const page of createConnector(dynamoStore(dataMap, 'customers'), clients).export(subject)) {
    const match = page.find((r) => r.data.customerId === customerId);
    if (match) return { ...match.data };
  }
  throw new Error('the resolved account disappeared while planting');
}

/** Records of each kind generated and written per round by `plantSubject`. */
const PLANT_ROUND = 500;

/**
 * Plants a footprint for `email` in every demo store: one account and one
 * consent record, and `records` (default 5) orders, messages, activity events
 * and documents. An email that already has an account keeps it and gains
 * records. Returns the total each store now holds for the email, counted by
 * the connectors themselves, so it equals what an export will report.
 */
export async function plantSubject(
  clients: DemoClients,
  dataMap: DataMap,
  options: PlantOptions,
): Promise<Record<string, number>> {
  const email = subjectLookupForm(options.email);
  const records = options.records ?? 5;
  // Up to 100,000 for the export benchmark (the seed command allows 10,000).
  if (!Number.isInteger(records) || records < 0 || records > 100_000) {
    throw new RangeError('records must be an integer from 0 to 100000');
  }
  const documents = options.documents ?? records;
  if (!Number.isInteger(documents) || documents < 0 || documents > records) {
    throw new RangeError('documents must be an integer from 0 to records');
  }
  const existing = await resolveSubject(dataMap, clients, email);
  const existingId = existing.identities.customerId?.[0];
  const f = newFaker(Math.floor(Math.random() * 2 ** 31));
  const customerId = existingId ?? `cus-${randomUUID()}`;
  const customer =
    existingId === undefined
      ? customerItem(
          f,
          customerId,
          email,
          options.fullName ?? f.person.fullName(),
          options.phone ?? mobile(f),
          f.date.past({ years: 3 }),
        )
      : await existingAccount(clients, dataMap, existing, customerId);
  const c = {
    customerId,
    email: String(customer.email),
    fullName: String(customer.fullName),
    phone: String(customer.phone),
  };
  const statuses = options.orderStatuses ?? [];
  // Written in rounds so 10,000 records keep memory flat; activity is made once, grouped per day.
  for (let from = 0; from === 0 || from < records; from += PLANT_ROUND) {
    const count = Math.min(PLANT_ROUND, records - from);
    const indexes = Array.from({ length: count }, (_, i) => from + i);
    const print: Footprint = {
      ...(from === 0 && existingId === undefined
        ? { customer, preferences: preferencesItem(f, customerId) }
        : {}),
      orders: indexes.map((i) => orderItem(f, c, statuses[i % statuses.length])),
      messages: indexes.map(() => messageItem(f, customerId)),
      activity: from === 0 ? activityEvents(f, customerId, records) : new Map(),
      documents: indexes.filter((i) => i < documents).map((i) => documentObject(f, customer, i)),
    };
    await writeFootprints(clients, dataMap, [print], true);
    await plantAtProcessors(options.processors, c, print.orders);
  }
  return countFootprint(clients, dataMap, email);
}

const DEFAULT_SEED = 20_260_101;
const POPULATION_REF_DATE = new Date('2026-01-01T00:00:00Z');

/** Each person gets their own seeded Faker, so person `index` is the same whatever the population size. */
function populationPerson(seed: number, index: number) {
  const f = newFaker(seed * 100_003 + index, POPULATION_REF_DATE);
  const first = f.person.firstName();
  const last = f.person.lastName();
  return { f, first, last, email: `${ascii(first)}.${ascii(last)}.${index}@example.test` };
}

/** The email of person `index` of the population seeded with `seed` (for tests and demos). */
export function seededEmail(seed: number, index: number): string {
  return populationPerson(seed, index).email;
}

/**
 * Seeds a reproducible population of Impor.in customers (same seed, same
 * people), each with an account, consent, a few orders, messages and
 * activity, and documents for some. Emails are `…@example.test`.
 */
export async function seedPopulation(
  clients: DemoClients,
  dataMap: DataMap,
  options: PopulationOptions,
): Promise<{ customers: number }> {
  const seed = options.seed ?? DEFAULT_SEED;
  const prints: Footprint[] = [];
  for (let i = 0; i < options.customers; i++) {
    const { f, first, last, email } = populationPerson(seed, i);
    const fullName = `${first} ${last}`;
    const customerId = `cus-${f.string.uuid()}`;
    const customer = customerItem(f, customerId, email, fullName, mobile(f), f.date.past({ years: 3 }));
    const print = footprint(f, customer, 0, true);
    const c = { customerId, email, fullName, phone: String(customer.phone) };
    print.orders = Array.from({ length: f.number.int({ min: 0, max: 3 }) }, () => orderItem(f, c));
    print.messages = Array.from({ length: f.number.int({ min: 0, max: 3 }) }, () =>
      messageItem(f, customerId),
    );
    // One day of activity each: S3 puts dominate seeding time on s3rver.
    print.activity = activityEvents(f, customerId, f.number.int({ min: 1, max: 6 }), 1);
    if (i % 4 === 0) print.documents = [documentObject(f, customer, i)];
    prints.push(print);
    await plantAtProcessors(options.processors, c, print.orders);
  }
  await writeFootprints(clients, dataMap, prints, false);
  return { customers: options.customers };
}
