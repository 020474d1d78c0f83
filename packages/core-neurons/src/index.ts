export {
  SURROGATES,
  SURROGATE_DEFAULTS,
  getSurrogate,
  surrogateGrad,
  spikeFn,
  cosineSimilarity,
  dspikeTemperatureStep,
} from './surrogates.js';
export type { SurrogateName, SurrogateSpec, SurrogateEntry, TemperatureChoice, NumArray } from './surrogates.js';
export { lifStep, initNeuronState, leakOf, validateNeuronParams, heavisideNoGrad } from './neurons.js';
export type { NeuronParams, NeuronState, StepResult } from './neurons.js';
export { lifStepForward } from './neurons.js';
export type { Threshold } from './neurons.js';
export { lifSequence, lifSequenceStepwise, timeSlice } from './sequence.js';
export type { SequenceOptions, SequenceResult } from './sequence.js';
export { lifForwardArrays } from './lif-fused.js';
export type { LifKernelAttrs, LifArrayExtras } from './lif-fused.js';
export { SpikeMonitor } from './monitor.js';
export type { LayerActivity } from './monitor.js';
