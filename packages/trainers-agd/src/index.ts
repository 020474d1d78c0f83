/** @snn/trainers-agd: surrogate-gradient BPTT (Panda et al. 2020 AGD) for ANN, SNN and hybrid nets, with softmax / stochmax heads. */
// heads, optimiser/schedule and checkpoints are @snn/training's; re-exported for AGD's callers
export { softmaxHead, stochmaxHead, makeHead, dropmaxLogProbs } from '@snn/training';
export type { HeadName, HeadSpec, HeadOutput, ClassifierHead, StochmaxOptions } from '@snn/training';
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
export { makeOptimizer, lrAt, setLearningRate, saveCheckpoint, loadCheckpoint } from '@snn/training';
export type { OptimizerConfig, ScheduleConfig, CheckpointManifest, LoadedCheckpoint } from '@snn/training';
