/** @snn/trainers-agd: surrogate-gradient BPTT (Panda et al. 2020 AGD) for ANN, SNN and hybrid nets, with softmax / stochmax heads. */
export { softmaxHead, stochmaxHead, makeHead, dropmaxLogProbs } from './heads.js';
export type { HeadName, HeadSpec, HeadOutput, ClassifierHead, StochmaxOptions } from './heads.js';
export { AgdTrainer, trainAgd, DivergenceError, classifierFeatureDim } from './train.js';
export type {
  AgdConfig,
  AgdMode,
  AgdNeuronConfig,
  AgdContext,
  AgdProgress,
  AgdRunResult,
  EpochRecord,
  EvalResult,
} from './train.js';
export { makeOptimizer, lrAt, setLearningRate } from './schedule.js';
export type { OptimizerConfig, ScheduleConfig } from './schedule.js';
export { saveCheckpoint, loadCheckpoint } from './checkpoint.js';
export type { CheckpointManifest, LoadedCheckpoint } from './checkpoint.js';
