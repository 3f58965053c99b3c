/**
 * The processors of a running `npm start`, reached over HTTP: how `npm run seed`
 * (another process) gives them their records about a planted subject.
 */
import { z } from 'zod';
import { ProcessorRole, type ProcessorSink } from './holdings';

const ProcessorList = z.object({
  processors: z.array(z.object({ id: z.string().min(1), role: ProcessorRole })),
});

/** A sink planting through `POST <baseUrl>/processors/<id>/holdings`; lists the processors first. */
export async function httpProcessorSink(baseUrl: string): Promise<ProcessorSink> {
  const res = await fetch(`${baseUrl}/partners`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`the partner simulators answered ${res.status}`);
  const { processors } = ProcessorList.parse(await res.json());
  return {
    processors,
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
