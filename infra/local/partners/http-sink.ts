/**
 * The partners of a running `npm start`, reached over HTTP: how `npm run seed`
 * (another process) gives them their records about a planted subject.
 */
import { z } from 'zod';
import { PartnerRole, type PartnerSink } from './holdings';

const PartnerList = z.object({ partners: z.array(z.object({ id: z.string().min(1), role: PartnerRole })) });

/** A sink planting through `POST <baseUrl>/partners/<id>/holdings`; lists the partners first. */
export async function httpPartnerSink(baseUrl: string): Promise<PartnerSink> {
  const res = await fetch(`${baseUrl}/partners`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`the partner simulators answered ${res.status}`);
  const { partners } = PartnerList.parse(await res.json());
  return {
    partners,
    async plant(id, holding) {
      const out = await fetch(`${baseUrl}/partners/${encodeURIComponent(id)}/holdings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(holding),
        signal: AbortSignal.timeout(5000),
      });
      await out.arrayBuffer();
      if (out.status !== 201) throw new Error(`partner ${id} refused the records (${out.status})`);
    },
  };
}
