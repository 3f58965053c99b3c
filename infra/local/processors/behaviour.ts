/**
 * How a simulated processor answers: in time or late, through its response or a
 * callback, failing for a while, slowly, or with a bad callback signature.
 * Tests and demos change it per processor while the simulators run.
 */
import { z } from 'zod';
import type { ProcessorRole } from './holdings';

export const Behaviour = z.strictObject({
  /** sync: the acknowledgement is the response; async: 202 then a callback; never: 202 and silence. */
  ack: z.enum(['sync', 'async', 'never']),
  /** async: how long after the 202 the callback is sent. */
  ackDelayMs: z.number().int().min(0).max(600_000),
  /** Answer `failStatus` to the next n deliveries (each one counts down). */
  failTimes: z.number().int().min(0).max(1000),
  failStatus: z.number().int().min(400).max(599),
  /** Wait this long before answering anything. */
  delayMs: z.number().int().min(0).max(600_000),
  /** invalid: callbacks are signed with a wrong secret (the API must refuse them). */
  callbackSignature: z.enum(['valid', 'invalid']),
});
export type Behaviour = z.infer<typeof Behaviour>;

/** A change to a behaviour: only the fields given change. */
export const BehaviourChange = Behaviour.partial();
export type BehaviourChange = z.infer<typeof BehaviourChange>;

/** The logistics processor acknowledges at once; the payment gateway a second later by callback. */
export function defaultBehaviour(role: ProcessorRole): Behaviour {
  return {
    ack: role === 'logistics' ? 'sync' : 'async',
    ackDelayMs: 1000,
    failTimes: 0,
    failStatus: 500,
    delayMs: 0,
    callbackSignature: 'valid',
  };
}
