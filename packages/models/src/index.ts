/** @snn/models: declarative topologies of Panda et al. 2020 (reconstructed) and one ANN/SNN/hybrid executor. */
export { getTopology, buildTopology, untie, scaleWidth } from './expand.js';
export { TOPOLOGY_DECLS, TOPOLOGY_NAMES } from './topologies.js';
export type { TopologyDecl } from './topologies.js';
export { initParams, disposeParams } from './params.js';
export type { Params } from './params.js';
export { forward, defaultNeuron, reluOpsFor } from './forward.js';
export { linear as linearOp } from './forward.js';
export { simulateChunked, spikingOpsOf } from './simulate.js';
export type { ChunkedSimOptions, ChunkedSimResult, InputCoding } from './simulate.js';
export type { ForwardMode, ForwardOptions, ForwardResult, TapEvent } from './forward.js';
export type {
  TopologyName,
  Topology,
  TopologyOptions,
  OpSpec,
  ParamSpec,
  OpKind,
  NeuronKind,
  LayerDecl,
  SampleShape,
} from './types.js';
