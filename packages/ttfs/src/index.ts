/** @snn/ttfs: time-to-first-spike coding and training (Park & Yoon 2021; T2FSNN, Park et al. 2020). */
export {
  defaultKernelInit,
  makeKernel,
  ownedVariable,
  kernelAt,
  kernelValues,
  kernelRegularizer,
  tauOf,
  TAU_MIN,
} from './kernel.js';
export type { KernelInit, TemporalKernel } from './kernel.js';
export { ttfsActivation, spikeStep, stopGradient } from './activation.js';
export type { ActivationOptions } from './activation.js';
export { TtfsNet, BN_EPS } from './net.js';
export type { TtfsNetConfig, TtfsBnMode, BatchNormState } from './net.js';
export { foldBatchNorm, disposeFolded } from './fold.js';
export type { FoldedSynapses } from './fold.js';
export { simulateTtfs, fireOnce, integrate } from './simulate.js';
export type { TtfsSimResult } from './simulate.js';
export { TtfsTrainer } from './train.js';
export type { TtfsTrainConfig, TtfsEpoch, TtfsProgress } from './train.js';
export { evaluateTtfs } from './evaluate.js';
export type { TtfsEvaluation } from './evaluate.js';
