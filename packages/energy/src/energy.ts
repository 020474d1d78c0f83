/**
 * Compute-energy accounting of Panda, Aketi & Roy 2020 ("cost accounting"), after Horowitz 2014 /
 * Han et al. 2015 45 nm figures:
 *   FLOPs_ANN(op) = MACs(op)                      E_ANN = sum_op FLOPs_ANN * E_MAC
 *   FLOPs_SNN(op) = MACs(op) * SA_in(op)  per step E_SNN = sum_t sum_op FLOPs_SNN * E_AC
 * SA_in = the op's measured INPUT spiking activity (fraction of input neurons firing per step).
 * An op whose input is real-valued pays MACs (the ReLU part of a hybrid net, the first LIF op
 * after it, a directly coded first layer); such a static input is computed once, not T times
 * (our executor never repeats it), unless `macPerStep` says otherwise. Pooling is ignored (its
 * adds are recorded by the topology but, like memory access, not counted, as in the paper).
 */
import type { OpSpec, Topology } from '@snn/models';

export interface EnergyPreset {
  /** pJ per multiply-accumulate */
  mac: number;
  /** pJ per accumulate */
  ac: number;
}

export const E_PRESETS = {
  int32_45nm: { mac: 3.2, ac: 0.1 },
  fp32_45nm: { mac: 4.6, ac: 0.9 },
} as const satisfies Record<string, EnergyPreset>;

export type EnergyPresetName = keyof typeof E_PRESETS;
export const DEFAULT_PRESET: EnergyPresetName = 'int32_45nm';

export interface OpEnergy {
  op: string;
  kind: OpSpec['kind'];
  /** 'mac' or 'ac' */
  opType: 'mac' | 'ac';
  /** MACs per sample for one evaluation of the op */
  macs: number;
  /** counted operations per sample (MACs, or ACs summed over T) */
  ops: number;
  /** pJ per sample */
  energy: number;
}

export interface EnergyReport {
  preset: EnergyPresetName;
  constants: EnergyPreset;
  perOp: OpEnergy[];
  /** pJ per sample (inference of one image) */
  total: number;
}

const isWeightOp = (op: OpSpec): boolean => op.kind === 'conv' || op.kind === 'fc';

function presetOf(name: EnergyPresetName | undefined): [EnergyPresetName, EnergyPreset] {
  const n = name ?? DEFAULT_PRESET;
  const c = E_PRESETS[n];
  if (!c) throw new Error(`unknown energy preset '${String(name)}'; use one of ${Object.keys(E_PRESETS).join(', ')}`);
  return [n, { ...c }];
}

/** E_ANN: every weight op as MACs (latency 1). */
export function annEnergy(topo: Topology, preset?: EnergyPresetName): EnergyReport {
  const [name, c] = presetOf(preset);
  const perOp = topo.ops.filter(isWeightOp).map((op): OpEnergy => ({
    op: op.id,
    kind: op.kind,
    opType: 'mac',
    macs: op.macs,
    ops: op.macs,
    energy: op.macs * c.mac,
  }));
  return { preset: name, constants: c, perOp, total: perOp.reduce((a, e) => a + e.energy, 0) };
}

export interface SnnEnergyOptions {
  /** INPUT spike rate per step (fraction of input neurons firing) of every AC op, by op id */
  activity: Record<string, number>;
  T: number;
  /** ops that receive real-valued input and pay MACs (see `macOpsFor`) */
  macOps?: string[];
  /** count a MAC op T times (its real-valued input differs per step); default false: once */
  macPerStep?: boolean | string[];
  preset?: EnergyPresetName;
}

/** E_SNN: AC ops = MACs * input activity * T; MAC ops = MACs (once, or T times with macPerStep). */
export function snnEnergy(topo: Topology, o: SnnEnergyOptions): EnergyReport {
  const [name, c] = presetOf(o.preset);
  if (!(Number.isInteger(o.T) && o.T >= 1)) throw new Error(`snnEnergy: T must be a positive integer, got ${o.T}`);
  const mac = new Set(o.macOps ?? []);
  for (const id of mac)
    if (!topo.ops.some((op) => op.id === id)) throw new Error(`snnEnergy: macOps '${id}' is not an op of ${topo.name}`);
  const perStep = (id: string): boolean =>
    Array.isArray(o.macPerStep) ? o.macPerStep.includes(id) : Boolean(o.macPerStep);
  const perOp = topo.ops.filter(isWeightOp).map((op): OpEnergy => {
    if (mac.has(op.id)) {
      const n = op.macs * (perStep(op.id) ? o.T : 1);
      return { op: op.id, kind: op.kind, opType: 'mac', macs: op.macs, ops: n, energy: n * c.mac };
    }
    const sa = o.activity[op.id];
    if (sa === undefined || !Number.isFinite(sa) || sa < 0)
      throw new Error(`snnEnergy: no valid input activity for AC op '${op.id}' of ${topo.name} (got ${sa})`);
    const n = op.macs * sa * o.T;
    return { op: op.id, kind: op.kind, opType: 'ac', macs: op.macs, ops: n, energy: n * c.ac };
  });
  return { preset: name, constants: c, perOp, total: perOp.reduce((a, e) => a + e.energy, 0) };
}

/**
 * Which ops pay MACs in a run of `mode` (Panda et al. 2020: "MAC energy for ReLU layers (Conv1,
 * Conv2) and AC energy for remaining LIF layers (Conv3 - Conv7(6))"):
 * - every ReLU op (all hidden ops in 'ann'; `hybridReluOps` or the 'relu'-tagged ops in 'hybrid');
 * - the first weight op after the ReLU block (the hybrid boundary: its input is the ReLU block's
 *   real-valued output at every step) pays ACs like every LIF op, at the input activity its
 *   caller measures (the fraction of non-zero ReLU outputs), as the paper's text says;
 *   `hybridBoundary: 'mac'` is the other reading (MACs once, as for a real-valued input);
 * - the first weight op if the input is real-valued (`coding: 'direct'`); Poisson input -> AC;
 * - the classifier if its input is real-valued (e.g. all hidden ops ReLU).
 */
export function macOpsFor(
  topo: Topology,
  o: {
    mode: 'ann' | 'snn' | 'hybrid';
    coding?: 'poisson' | 'direct' | 'latency';
    hybridReluOps?: string[];
    hybridBoundary?: 'ac' | 'mac';
  },
): string[] {
  const weight = topo.ops.filter(isWeightOp);
  if (o.mode === 'ann') return weight.map((op) => op.id);
  const relu = new Set(
    o.mode === 'hybrid' ? (o.hybridReluOps ?? weight.filter((op) => op.neuron === 'relu').map((op) => op.id)) : [],
  );
  const boundaryMac = (o.hybridBoundary ?? 'ac') === 'mac';
  const out: string[] = [];
  let realInput = o.coding === 'direct' || (o.mode === 'hybrid' && o.coding !== 'poisson' && o.coding !== 'latency');
  for (const [i, op] of weight.entries()) {
    if (relu.has(op.id) || realInput) out.push(op.id);
    // the op after a ReLU op: MACs in the 'mac' reading, or when it is the (non-spiking) classifier
    realInput = relu.has(op.id) && (boundaryMac || weight[i + 1]?.id === topo.classifier);
  }
  return out;
}

/**
 * Input activity per weight op from output activity per spiking op (SpikeMonitor rates, keyed by
 * op id): the input of op k is the output of the previous weight op (pooling passes spikes through,
 * its rate taken as the pre-pool rate); the first op reads `inputRate` (Poisson pixel rate).
 */
export function inputActivity(
  topo: Topology,
  outputRate: Record<string, number>,
  inputRate?: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  let prev: string | null = null;
  for (const op of topo.ops) {
    if (!isWeightOp(op)) continue;
    const r = prev === null ? inputRate : outputRate[prev];
    if (r !== undefined) out[op.id] = r;
    prev = op.id;
  }
  return out;
}

export interface EfficiencyReport {
  preset: EnergyPresetName;
  /** E_ANN / E_SNN per weight op */
  perLayer: Record<string, number>;
  /** whole net */
  full: number;
  /** over the SNN's spiking (AC) conv ops only: EE_Conv of the STDP tables */
  conv: number;
  eAnn: number;
  eSnn: number;
}

/** EE = E_ANN / E_SNN per layer, whole net, and over the spiking conv layers only. */
export function energyEfficiency(ann: EnergyReport, snn: EnergyReport): EfficiencyReport {
  if (ann.preset !== snn.preset) throw new Error(`energyEfficiency: presets differ (${ann.preset} vs ${snn.preset})`);
  const annBy = new Map(ann.perOp.map((e) => [e.op, e]));
  const perLayer: Record<string, number> = {};
  let convAnn = 0;
  let convSnn = 0;
  for (const e of snn.perOp) {
    const a = annBy.get(e.op);
    if (!a) throw new Error(`energyEfficiency: op ${e.op} missing from the ANN report`);
    perLayer[e.op] = a.energy / e.energy;
    if (e.kind === 'conv' && e.opType === 'ac') {
      convAnn += a.energy;
      convSnn += e.energy;
    }
  }
  return {
    preset: snn.preset,
    perLayer,
    full: ann.total / snn.total,
    conv: convAnn / convSnn,
    eAnn: ann.total,
    eSnn: snn.total,
  };
}

/** Unique (stored) parameters: shared BackRes weights counted once. */
export function uniqueParams(topo: Topology): number {
  return topo.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
}

/** BackRes compression: unique params of the feed-forward net of equal logical depth / this net's. */
export function compressionRatio(topo: Topology, feedForward: Topology): number {
  if (topo.logicalDepth !== feedForward.logicalDepth)
    throw new Error(
      `compressionRatio: logical depths differ (${topo.name} ${topo.logicalDepth} vs ${feedForward.name} ${feedForward.logicalDepth})`,
    );
  return uniqueParams(feedForward) / uniqueParams(topo);
}
