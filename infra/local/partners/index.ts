/** The local partner simulators: see `simulators.ts`. */
export { Behaviour, BehaviourChange, defaultBehaviour } from './behaviour';
export {
  LOGISTICS_RETENTION_REASON,
  PAYMENTS_RETENTION_REASON,
  PartnerHolding,
  PartnerRole,
  type PartnerSink,
} from './holdings';
export { httpPartnerSink } from './http-sink';
export {
  type PartnerSimulatorOptions,
  type PartnerSimulators,
  type Received,
  type SimulatedPartner,
  startPartnerSimulators,
  webhookPath,
} from './simulators';
