/** @snn/trainers-stdp: layer-wise unsupervised conv STDP with BackRes unrolled updates, classifier heads (Panda et al. 2020, Tables 6 and 12). */
export { runStdpRow, clearStdpMemo, stdpCodeFingerprint } from './rows.js';
export type { StdpRowSpec, StdpRowResult, StdpRowMethod, StdpRowClassifier } from './rows.js';
export type { StdpInference } from './experiment.js';
