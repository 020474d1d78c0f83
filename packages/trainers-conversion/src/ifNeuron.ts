/**
 * Integrate-and-fire, the neuron of rate conversion: v += I[t] + c; spike when v >= θ; then
 *   soft reset (reset by subtraction, Deng & Gu 2021; Li et al. 2021): v -= θ;
 *   hard reset (reset to zero, Sengupta et al. 2019, which Panda et al. 2020 follow): v = 0.
 * Spikes carry amplitude θ, so the time-averaged output approximates the ANN activation directly
 * (equivalent to unit spikes with layer-wise weight normalisation, by the scale invariance of IF).
 *
 * The recurrence runs element-wise over a time-folded chunk `[tc*N]` (row t*N + i) in plain JS:
 * it is O(T·N) adds, cheaper than T tensor ops per layer on wasm.
 */
export interface IfState {
  v: Float32Array;
}

export interface IfStepParams {
  vth: number;
  /** extra current per step (bias shift θ/2T, bias correction): scalar or one value per channel (last dim) */
  extra?: number | Float32Array;
  channels: number;
  /** 'soft' (default): v -= θ on a spike; 'hard': v = 0 */
  reset?: 'soft' | 'hard';
}

/**
 * Advance `tc` steps. `current` has tc*N entries, or N entries when `repeated` (identical at each step).
 * Writes θ·spike into `out` (tc*N) and returns the number of spikes.
 */
export function ifChunk(
  current: Float32Array,
  repeated: boolean,
  tc: number,
  state: IfState,
  p: IfStepParams,
  out: Float32Array,
): number {
  const v = state.v;
  const n = v.length;
  const th = p.vth;
  const c = p.extra;
  const C = p.channels;
  const hard = p.reset === 'hard';
  let count = 0;
  for (let t = 0; t < tc; t++) {
    const base = t * n;
    const cbase = repeated ? 0 : base;
    for (let i = 0; i < n; i++) {
      let x = v[i] + current[cbase + i];
      if (c !== undefined) x += typeof c === 'number' ? c : c[i % C];
      if (x >= th) {
        x = hard ? 0 : x - th;
        out[base + i] = th;
        count++;
      } else {
        out[base + i] = 0;
      }
      v[i] = x;
    }
  }
  return count;
}

/** Initial membrane: zeros, or `v0` (one sample's shape) tiled over the batch (Li et al. potential correction). */
export function initState(n: number, v0?: Float32Array): IfState {
  const v = new Float32Array(n);
  if (v0) for (let i = 0; i < n; i++) v[i] = v0[i % v0.length];
  return { v };
}
