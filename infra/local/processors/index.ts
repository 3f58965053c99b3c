/** The local processor simulators: see `simulators.ts`. */
export { Behaviour, BehaviourChange, defaultBehaviour } from './behaviour';
export {
  LOGISTICS_RETENTION_REASON,
  PAYMENTS_RETENTION_REASON,
  ProcessorHolding,
  ProcessorRole,
  type ProcessorSink,
} from './holdings';
export { httpProcessorSink } from './http-sink';
export {
  type ProcessorSimulatorOptions,
  type ProcessorSimulators,
  type Received,
  type SimulatedProcessor,
  startProcessorSimulators,
  webhookPath,
} from './simulators';
