import { annEnergy, snnEnergy, energyEfficiency } from '@snn/energy';
import type { Topology } from '@snn/models';
import type { InputCoding } from './convertible.js';

/**
 * EE of a converted SNN vs its own ANN through @snn/energy (Panda et al. 2020 cost accounting):
 * `inputRate` is evaluateSnn's measured input spike rate per weight op. With direct (analog)
 * input the first weight op pays MACs once (its input repeats), otherwise every op pays ACs.
 */
export function conversionEE(
  topo: Topology,
  inputRate: Record<string, number>,
  T: number,
  coding: InputCoding,
  preset: 'int32_45nm' | 'fp32_45nm' = 'int32_45nm',
) {
  const first = topo.ops.find((o) => o.kind === 'conv' || o.kind === 'fc')!;
  const ann = annEnergy(topo, preset);
  const snn = snnEnergy(topo, { activity: inputRate, T, macOps: coding === 'direct' ? [first.id] : [], preset });
  return energyEfficiency(ann, snn);
}
