/**
 * Topology data types (docs/interfaces.md, @snn/models). A topology is pure data: the unique
 * weights (`params`) and the logical op sequence (`ops`) with BackRes unrolls expanded, so the
 * executor, the energy accounting and the trainers all read the same description.
 */

export type TopologyName =
  | 'VGG3'
  | 'VGG5'
  | 'VGG7'
  | 'VGG9'
  | 'VGG2x4'
  | 'VGG3x2-v1'
  | 'VGG3x2-v2'
  | 'VGG3x4'
  | 'VGG2x4-b64'
  | 'VGG3x2-v1-b64'
  | 'VGG3x2-v2-b64'
  | 'VGG3x4-b64'
  | 'VGG8x2'
  | 'ResNet2'
  | 'ResNet2x2'
  | 'ResNet3'
  | 'VGG11x2'
  | 'VGG13'
  | 'VGG16';

export type NeuronKind = 'relu' | 'lif' | 'if' | 'none';
export type OpKind = 'conv' | 'fc' | 'avgpool' | 'maxpool';

/** Shape of one sample: [h, w, c] for images, [n] after flattening. */
export type SampleShape = number[];

export interface ParamSpec {
  /** unique weight id, e.g. 'conv2' (bias: 'conv2/bias') */
  id: string;
  /** conv: [k, k, in, out] (tf HWIO); fc: [in, out]; bias: [out] */
  shape: number[];
  role: 'weight' | 'bias';
  /** weight op this parameter belongs to */
  layer: string;
  /** fan-in for He/Kaiming init (k*k*in or in) */
  fanIn: number;
}

export interface OpSpec {
  /** unique op id: the param id, or `${param}@${unrollStep}` when the param is used more than once */
  id: string;
  /** weight id (conv/fc); undefined for pooling */
  param?: string;
  /** 1-based use count of `param` in logical order (BackRes unroll step); 1 for single-use ops and pools */
  unrollStep: number;
  kind: OpKind;
  inShape: SampleShape;
  outShape: SampleShape;
  /** multiply-accumulates per sample (one time step): conv O^2*N*k^2*M, fc in*out, pooling 0 */
  macs: number;
  /** additions per sample for pooling (out * (k^2 - 1)); 0 for weight ops. Not counted in energy. */
  adds: number;
  /** the neuron after this op in the paper's setting: 'relu' ops are the ANN part of a hybrid net */
  neuron: NeuronKind;
  /** conv kernel size / pool window */
  k?: number;
  /** identity shortcut: the output of this op (or 'input') is added to this op's pre-activation */
  residualFrom?: string;
  /** index in `ops` */
  index: number;
}

export interface Topology {
  name: string;
  reconstructed: boolean;
  /** the naming rule / reading used to build this spec */
  rule: string;
  input: [number, number, number];
  classes: number;
  width: number;
  params: ParamSpec[];
  ops: OpSpec[];
  /** number of logical weight ops (conv + fc, BackRes unrolls counted) */
  logicalDepth: number;
  /** id of the last FC (non-spiking classifier) */
  classifier: string;
  /** the feed-forward topology of equal logical depth this BackRes net is compared with */
  feedForward?: TopologyName;
}

export interface TopologyOptions {
  /** 1 = the VGG-style widths (64, 128, ...); channels are max(4, round(w * width)) */
  width?: number;
  input?: [number, number, number];
  classes?: number;
  /** include bias parameters (default false: conversion wants none, Sengupta et al. 2019) */
  bias?: boolean;
  /** default spiking neuron kind tagged on hidden non-ReLU ops (default 'lif') */
  neuron?: 'lif' | 'if';
  /**
   * Extension point: replace/append the classifier head (e.g. the STDP ConvNN head of table 12).
   * Receives the declared feature layers (everything before FC1) and returns the full layer list.
   */
  head?: (features: LayerDecl[]) => LayerDecl[];
}

/** Declarative layer list from which ops are expanded. */
export type LayerDecl =
  | { conv: string; out: number; k?: number; residual?: boolean; relu?: boolean }
  | { pool: 'avg' | 'max'; size?: number }
  | { fc: string; out: number | 'classes'; relu?: boolean }
  /** BackRes block: `body` unrolled `times` with shared weights (each unroll feeds the previous output) */
  | { repeat: LayerDecl[]; times: number };
