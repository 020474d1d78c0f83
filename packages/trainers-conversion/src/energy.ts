import { tf } from './tf.js';
import type { ConversionNet } from './net.js';
import { annForward } from './ann.js';

/**
 * Energy accounting of Panda et al. 2020 (cost accounting): E_ANN = Σ MACs·E_MAC;
 * E_SNN = Σ_t Σ_op MACs·SA_op·E_AC, SA_op the fraction of the op's input neurons firing per step.
 * Pooling is not counted (as in the paper, memory access ignored). With direct (analog) input the
 * first layer's input is identical at every step, so it is one set of MACs, not T.
 * LOCAL: computed from this package's ConversionNet (which has no Topology); the presets are the
 * same constants as @snn/energy's E_PRESETS (45 nm, pJ).
 */
export const ENERGY_PRESETS = { int32_45nm: { mac: 3.2, ac: 0.1 }, fp32_45nm: { mac: 4.6, ac: 0.9 } } as const;
export type EnergyPreset = keyof typeof ENERGY_PRESETS;

/** MACs per sample of every weight op (conv: O²·k²·N·M, fc: in·out), from one forward pass. */
export function opMacs(net: ConversionNet, sampleShape: number[]): Record<string, number> {
  const macs: Record<string, number> = {};
  tf.tidy(() => {
    annForward(net, tf.zeros([1, ...sampleShape]), {
      capture: (op, out) => {
        if (op.kind === 'avgpool') return;
        const w = net.weights[op.param ?? op.id];
        macs[op.id] =
          op.kind === 'conv'
            ? out.size * (w.shape[0] as number) * (w.shape[1] as number) * (w.shape[2] as number)
            : w.size;
      },
    });
  });
  return macs;
}

export interface EnergyReport {
  preset: EnergyPreset;
  T: number;
  eAnn: number;
  eSnn: number;
  /** EE = E_ANN / E_SNN */
  ee: number;
  perOp: Array<{ op: string; macs: number; inputRate: number; eAnn: number; eSnn: number }>;
}

export function energyEfficiency(
  macs: Record<string, number>,
  inputRate: Record<string, number>,
  T: number,
  opts: { preset?: EnergyPreset; analogFirstOp?: string } = {},
): EnergyReport {
  const preset = opts.preset ?? 'int32_45nm';
  const E = ENERGY_PRESETS[preset];
  const perOp = Object.entries(macs).map(([op, m]) => {
    const r = inputRate[op] ?? 0;
    const eSnn = op === opts.analogFirstOp ? m * E.mac : m * r * T * E.ac;
    return { op, macs: m, inputRate: r, eAnn: m * E.mac, eSnn };
  });
  const eAnn = perOp.reduce((s, p) => s + p.eAnn, 0);
  const eSnn = perOp.reduce((s, p) => s + p.eSnn, 0);
  return { preset, T, eAnn, eSnn, ee: eAnn / eSnn, perOp };
}
