// @snn/trainers-conversion: ANN→SNN conversion (Sengupta et al. 2019 threshold balancing, Panda et al.
// 2020 multi-threshold BackRes) and low-latency methods (Deng & Gu 2021 bias shift; Li et al. 2021
// calibration). Every method is a function over a converted net (weights + SnnSettings).
export type { ConversionNet, ConvOp, ConvOpKind } from './net.js';
export { spikingOps, classifierOp, linearOp, cloneNet, disposeNet, uniqueParamCount } from './net.js';
export { fromTopology, type TopologyLike } from './topology.js';
export { annForward } from './ann.js';
export type { SnnSettings } from './snnSettings.js';
export { addExtraCurrent, cloneSettings } from './snnSettings.js';
export { ifChunk, initState } from './ifNeuron.js';
export { simulate, type SimulateOptions, type SimulateResult, type InputCoding, type Readout } from './simulate.js';
export {
  thresholdBalance,
  unitSpikeThresholds,
  thresholdsIncreaseInBlocks,
  type BalanceOptions,
  type BalancedThreshold,
} from './thresholdBalance.js';
export { biasShift } from './biasShift.js';
export {
  clipFloor,
  quantisationError,
  searchThreshold,
  thresholdsFromAnn,
  collectAnnActivations,
  type ThresholdMethod,
} from './thresholdSearch.js';
export {
  biasCorrection,
  potentialCorrection,
  weightCalibration,
  layerError,
  layerOutputs,
  type CalibrationOptions,
} from './calibration.js';
export { evaluateSnn, evaluateAnn, imageCount, type SnnEvaluation, type LabelledBatch } from './evaluate.js';
export { energyEfficiency, opMacs, ENERGY_PRESETS, type EnergyPreset, type EnergyReport } from './energy.js';
export {
  trainConvertibleAnn,
  annConfigHash,
  labelledBatches,
  disposeBatches,
  type ConvertibleAnnConfig,
  type ConvertibleAnn,
} from './annTraining.js';
export { conversionEE } from './energyTopo.js';
export { cifarSubsets, cachedAnn, memo, type CifarSubsets } from './experiment.js';
export { floorSTE } from './calibration.js';
