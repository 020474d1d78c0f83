import { SURROGATE_DEFAULTS, type SurrogateName, type SurrogateSpec } from './surrogates.js';

/**
 * The registry's surrogate derivatives dS/dV (surrogates.ts, `grad`) evaluated on plain typed
 * arrays, for the fused LIF backward (lif-fused.ts), which cannot call tf ops per element.
 * Same formulas and defaults as the registry entries; test/surrogate-arrays.test.ts checks every
 * registry entry against its array version (so a new surrogate without one fails there, and
 * `Record<SurrogateName, ...>` makes the compiler ask for it). Each entry owns its own loop so the
 * JIT sees one monomorphic function per surrogate (no per-element indirect call). V_th is taken
 * in float32, as the tf ops see it.
 */
export type SurrogateArrayGrad = (u: Float32Array, out: Float32Array, n: number) => void;

export const SURROGATE_ARRAY_GRADS: Readonly<
  Record<SurrogateName, (vth: number, spec: SurrogateSpec) => SurrogateArrayGrad>
> = {
  // Panda et al. 2020: gamma * max(0, 1 - |V - V_th| / V_th)
  pwl: (vth64, spec) => {
    const vth = Math.fround(vth64);
    const gamma = spec.gamma ?? SURROGATE_DEFAULTS.gamma;
    const inv = 1 / vth;
    return (u, out, n) => {
      for (let i = 0; i < n; i++) {
        const d = 1 - Math.abs(u[i] - vth) * inv;
        out[i] = d > 0 ? d * gamma : 0;
      }
    };
  },
  // Li et al. 2021, centred on V_th: d = (V - V_th) / w, b / (2 tanh(b/2)) sech^2(b d) / w for |d| <= 1/2
  dspike: (vth64, spec) => {
    const vth = Math.fround(vth64);
    const b = spec.b ?? SURROGATE_DEFAULTS.b;
    const w64 = (spec.width ?? SURROGATE_DEFAULTS.dspikeWidth) * vth64;
    const w = Math.fround(w64);
    const scale = b / (2 * Math.tanh(b / 2)) / w64;
    return (u, out, n) => {
      for (let i = 0; i < n; i++) {
        const d = Math.fround(Math.fround(u[i] - vth) / w); // float32, as the tf ops: decides the support identically
        if (Math.abs(d) <= 0.5) {
          const c = Math.cosh(d * b);
          out[i] = scale / (c * c);
        } else out[i] = 0;
      }
    };
  },
  // SuperSpike: 1 / (alpha |V - V_th| + 1)^2
  fastSigmoid: (vth64, spec) => {
    const vth = Math.fround(vth64);
    const a = spec.alpha ?? SURROGATE_DEFAULTS.fastSigmoidAlpha;
    return (u, out, n) => {
      for (let i = 0; i < n; i++) {
        const d = a * Math.abs(u[i] - vth) + 1;
        out[i] = 1 / (d * d);
      }
    };
  },
  // ATan: (alpha / 2) / (1 + (pi/2 alpha (V - V_th))^2)
  arctan: (vth64, spec) => {
    const vth = Math.fround(vth64);
    const a = spec.alpha ?? SURROGATE_DEFAULTS.arctanAlpha;
    const k = (Math.PI / 2) * a;
    return (u, out, n) => {
      for (let i = 0; i < n; i++) {
        const z = k * (u[i] - vth);
        out[i] = a / 2 / (1 + z * z);
      }
    };
  },
};

/** Array version of the named surrogate's dS/dV; null if the registry has a surrogate we lack. */
export function surrogateArrayGrad(spec: SurrogateSpec, vth: number): SurrogateArrayGrad | null {
  const make = (
    SURROGATE_ARRAY_GRADS as Partial<Record<string, (vth: number, spec: SurrogateSpec) => SurrogateArrayGrad>>
  )[spec.name];
  return make ? make(vth, spec) : null;
}
