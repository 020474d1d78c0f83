// @snn/trainers-conversion: ANN→SNN conversion (Sengupta et al. 2019 threshold balancing, Panda et al.
// 2020 multi-threshold BackRes) and low-latency methods (Deng & Gu 2021 bias shift; Li et al. 2021
// calibration), on the shared executor (@snn/models simulateChunked / forward, @snn/core-neurons IF
// step, @snn/encoders Poisson, @snn/energy). A converted net is a topology + params (convertible.ts)
// with its SnnSettings. The index exports what the conversion stage glue uses (@snn/stage-conversion:
// table-02, table-04, ext-calibration) and the conversion methods of docs/interfaces.md; this
// package's tests import the modules directly.
export type { SnnSettings } from './snnSettings.js';
export {
  thresholdBalance,
  unitSpikeThresholds,
  thresholdsIncreaseInBlocks,
  type BalancedThreshold,
} from './thresholdBalance.js';
export { biasShift } from './biasShift.js';
export { thresholdsFromAnn } from './thresholdSearch.js';
export { biasCorrection, potentialCorrection, weightCalibration } from './calibration.js';
export { calibrationRecipe, type CalibrationRecipe } from './recipes.js';
export { evaluateSnn, evaluateAnn, imageCount, type SnnEvaluation, type LabelledBatch } from './evaluate.js';
export { disposeNet } from './convertible.js';
export {
  trainConvertibleAnn,
  annConfigHash,
  labelledBatches,
  type ConvertibleAnnConfig,
  type ConvertibleAnn,
} from './annTraining.js';
export { conversionEE } from './energyTopo.js';
export { cifarSubsets, cachedAnn, conversionCodeFingerprint } from './experiment.js';
