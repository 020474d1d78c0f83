/** @snn/trainers-stdp: layer-wise unsupervised conv STDP with BackRes unrolled updates, classifier heads (Panda et al. 2020, Tables 6 and 12). */
export { DEFAULT_RULE, stdpDeltaW, applyDeltaW, traceStep, traceDecay, filterCorrelation } from './stdp-rule.js';
export type { StdpRuleParams } from './stdp-rule.js';
export { StdpConvLayer, DEFAULT_LAYER, emptyState, disposeState } from './stdp-layer.js';
export type { StdpLayerParams, LayerState } from './stdp-layer.js';
export { StdpStack, RateAccumulator, trainStackStdp, extractFeatures, stackOutShape } from './stack.js';
export type { StackSpec, StackLayerSpec, StdpTrainOptions } from './stack.js';
export { stackSpecFromTopology, opId } from './topology.js';
export { makeHeadNet, trainHead, evaluateHead } from './heads.js';
export type { HeadArch, HeadNet, HeadTrainOptions } from './heads.js';
export { makeAnnFront } from './ann.js';
export type { AnnFront } from './ann.js';
export {
  frozenFeatures,
  disposeFeatures,
  headAccuracy,
  annAccuracy,
  stdpEnergy,
  convnnHeadMacs,
} from './experiment.js';
export type { FrozenFeatures, FrozenFeatureOptions, HeadRunOptions } from './experiment.js';
export { runStdpRow, clearStdpMemo } from './rows.js';
export type { StdpRowSpec, StdpRowResult, StdpRowMethod, StdpRowClassifier } from './rows.js';
