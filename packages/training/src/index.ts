/**
 * @snn/training: what every trainer shares (AGD, the conversion ANN, the STDP heads, TTFS):
 * classifier heads (softmax, stochmax = DropMax), optimiser and learning-rate schedule, the
 * head trainer (optimiser step + checkpoint tensors), the epoch loop with per-epoch checkpoints and
 * resume, and divergence handling.
 */
export { softmaxHead, stochmaxHead, makeHead, dropmaxLogProbs, logSigmoid } from './heads.js';
export type { HeadName, HeadSpec, HeadOutput, ClassifierHead, StochmaxOptions } from './heads.js';
export { makeOptimizer, lrAt, setLearningRate } from './schedule.js';
export type { OptimizerConfig, ScheduleConfig } from './schedule.js';
export { saveCheckpoint, loadCheckpoint } from './checkpoint.js';
export type { CheckpointManifest, LoadedCheckpoint } from './checkpoint.js';
export { DIVERGENCE_FACTOR, DivergenceError, checkDivergence } from './divergence.js';
export { runEpochs } from './loop.js';
export type {
  TrainContext,
  TrainProgress,
  EpochStats,
  StepResult,
  EpochCheckpoint,
  EpochLoopOptions,
  EpochLoopResult,
} from './loop.js';
export { HeadTrainer, classifierFeatureDim } from './trainer.js';
export { optimizerTensors, restoreOptimizer } from './optimizer-state.js';
export type { HeadTrainerInit } from './trainer.js';
