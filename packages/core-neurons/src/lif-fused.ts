/**
 * Fused LIF/IF recurrence (the kernels behind `lifSequence` on the cpu and wasm engines).
 *
 * The tfjs-op version of the recurrence (sequence.ts, `lifSequenceOps`) runs ~10 element-wise
 * ops and a slice per time step in the forward and ~12 per step in the backward, each allocating
 * a [B, ...] tensor; for a VGG layer at T = 25 that launch/allocation traffic dominated the
 * neuron cost. Here the forward is ONE pass over [T*B, ...] in plain JS on the backend's arrays
 * (wasm heap views, no copies), and the backward ONE reverse pass that recomputes the membrane
 * potentials block by block from the saved inputs (currents, v0) instead of storing U:
 *   forward  U_t = alpha V_{t-1} + I_t;  S_t = H(U_t - V_th);  V_t = U_t - V_th S_t (soft) | U_t (1 - S_t) (hard)
 *   backward dU_t = dL/dV_t dV_t/dU_t + dL/dS_t surrogate'(U_t);  dI_t = dU_t;  dL/dV_{t-1} = alpha dU_t
 * Refractory (counter r): a step with r > 0 holds V, ignores input, cannot fire (dI = 0 and
 * dL/dV_{t-1} = dL/dV_t there). Float32 rounding is applied after every arithmetic op exactly
 * where the op path rounds, so the spikes are bit-identical to it (tested).
 */
import { registerArrayKernel, type ArrayKernelSpec } from '@snn/backend';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { SurrogateSpec } from './surrogates.js';
import { surrogateArrayGrad } from './surrogate-arrays.js';

export const LIF_FORWARD_KERNEL = 'SnnLifForward';
export const LIF_BACKWARD_KERNEL = 'SnnLifBackward';

/** Kernel attributes (all plain values so they fit tfjs' NamedAttrMap). */
export interface LifKernelAttrs {
  T: number;
  alpha: number;
  vth: number;
  soft: boolean;
  refractory: number;
  repeated: boolean;
  /** JSON of the SurrogateSpec (backward only needs it) */
  surrogate: string;
}

const fround = Math.fround;
/** Elements per block of the backward's recompute (T * BLOCK floats of scratch, L1/L2-sized). */
const BLOCK = 512;

function attrsOf(a: NamedAttrMap): LifKernelAttrs {
  return a as unknown as LifKernelAttrs;
}

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

/**
 * Optional extras of the array forward (ANN-to-SNN conversion, @snn/models `simulateChunked`):
 * a constant extra input current per step (bias shift, bias correction), a spike amplitude
 * (conversion spikes carry amplitude V_th) and an in-place membrane; all off by default, and then
 * the kernel path (SnnLifForward) is unchanged bit for bit.
 */
export interface LifArrayExtras {
  /** added to the current of every step: one value, or one per channel (last dim; element e uses extra[e % C]) */
  extra?: number | Float32Array;
  /** value written for a spike (default 1) */
  amplitude?: number;
  /**
   * carry the membrane in `v0` itself (read, then overwritten with V after the last step) and write
   * only the T*M spike rows to `out`: no final-membrane rows, no copies (long chunked simulations)
   */
  inPlace?: boolean;
}

/**
 * Forward: cur [T*M] (or [M] if repeated), v0 [M] -> out [(T+1)*M]: spikes of step t at rows
 * t*M.., the final membrane (after the last reset) at T*M... The final-membrane rows double as
 * the running state V. Returns the number of spikes. With `ext` (extra current c, spike amplitude),
 * see lifForwardArraysExt: U_t = alpha V + I_t + c in double, rounded once when stored.
 */
export function lifForwardArrays(
  cur: Float32Array,
  v0: Float32Array,
  out: Float32Array,
  a: LifKernelAttrs,
  ext?: LifArrayExtras,
): number {
  if (ext && (ext.extra !== undefined || ext.amplitude !== undefined || ext.inPlace))
    return lifForwardArraysExt(cur, v0, out, a, ext);
  let count = 0;
  const T = a.T;
  const M = v0.length;
  const alpha = fround(a.alpha);
  const vth = fround(a.vth);
  const soft = a.soft;
  const R = a.refractory;
  const vOff = T * M;
  out.set(v0, vOff);
  if (R <= 0) {
    for (let t = 0; t < T; t++) {
      const io = a.repeated ? 0 : t * M;
      const so = t * M;
      for (let e = 0; e < M; e++) {
        const u = fround(fround(out[vOff + e] * alpha) + cur[io + e]);
        if (u >= vth) {
          out[so + e] = 1;
          out[vOff + e] = soft ? fround(u - vth) : 0;
          count++;
        } else {
          out[so + e] = 0;
          out[vOff + e] = u;
        }
      }
    }
    return count;
  }
  const refrac = new Float32Array(M);
  for (let t = 0; t < T; t++) {
    const io = a.repeated ? 0 : t * M;
    const so = t * M;
    for (let e = 0; e < M; e++) {
      const v = out[vOff + e];
      if (refrac[e] > 0) {
        // held: no integration, no spike, counter runs down
        out[so + e] = 0;
        refrac[e] = refrac[e] - 1;
        continue;
      }
      const u = fround(fround(v * alpha) + cur[io + e]);
      if (u >= vth) {
        out[so + e] = 1;
        out[vOff + e] = soft ? fround(u - vth) : 0;
        refrac[e] = R;
        count++;
      } else {
        out[so + e] = 0;
        out[vOff + e] = u;
      }
    }
  }
  return count;
}

/**
 * lifForwardArrays with an extra current and/or a spike amplitude (no refractory period): the
 * conversion executor's IF step. Each step is computed in double (alpha V + I_t + c, compared with
 * V_th and reset in double) and rounded to float32 once, when V is stored: the arithmetic
 * conversion has always used (pre-#13 ifNeuron.ts), so converted nets keep their spikes bit for bit.
 */
function lifForwardArraysExt(
  cur: Float32Array,
  v0: Float32Array,
  out: Float32Array,
  a: LifKernelAttrs,
  ext: LifArrayExtras,
): number {
  if (a.refractory > 0) throw new Error('lifForwardArrays: extra current / amplitude with a refractory period');
  const T = a.T;
  const M = v0.length;
  const alpha = a.alpha;
  const vth = a.vth;
  const soft = a.soft;
  const amp = ext.amplitude ?? 1;
  let V = v0;
  if (!ext.inPlace) {
    V = out.subarray(T * M, (T + 1) * M);
    V.set(v0);
  }
  const c = ext.extra;
  const cv = c !== undefined && typeof c !== 'number' ? c : null;
  const cs = typeof c === 'number' ? c : 0;
  const C = cv ? cv.length : 1;
  let count = 0;
  for (let t = 0; t < T; t++) {
    const io = a.repeated ? 0 : t * M;
    const so = t * M;
    for (let e = 0; e < M; e++) {
      let u = (alpha === 1 ? V[e] : V[e] * alpha) + cur[io + e];
      if (cv) u += cv[e % C];
      else if (cs !== 0) u += cs;
      if (u >= vth) {
        out[so + e] = amp;
        V[e] = soft ? u - vth : 0;
        count++;
      } else {
        out[so + e] = 0;
        V[e] = u;
      }
    }
  }
  return count;
}

/**
 * Backward (BPTT): dy [(T+1)*M] (dL/dS_t rows, then dL/dV_T) -> dCur (shape of cur), dV0 [M].
 * U_t is recomputed for a block of BLOCK neurons over all T, then the block runs in reverse.
 */
export function lifBackwardArrays(
  cur: Float32Array,
  v0: Float32Array,
  dy: Float32Array,
  dCur: Float32Array,
  dV0: Float32Array,
  a: LifKernelAttrs,
): void {
  const T = a.T;
  const M = v0.length;
  const alpha = fround(a.alpha);
  const vth = fround(a.vth);
  const soft = a.soft;
  const R = a.refractory;
  const repeated = a.repeated;
  const spec = JSON.parse(a.surrogate) as SurrogateSpec;
  const sgFn = surrogateArrayGrad(spec, a.vth);
  if (!sgFn) throw new Error(`${LIF_BACKWARD_KERNEL}: no array surrogate for '${spec.name}'`);
  const K = Math.min(BLOCK, M);
  const ubuf = new Float32Array(T * K);
  const sg = new Float32Array(T * K);
  const act = R > 0 ? new Uint8Array(T * K) : null;
  const v = new Float32Array(K);
  const r = new Float32Array(K);
  const gv = new Float64Array(K);
  const acc = new Float64Array(K);
  for (let e0 = 0; e0 < M; e0 += K) {
    const k = Math.min(K, M - e0);
    for (let j = 0; j < k; j++) {
      v[j] = v0[e0 + j];
      r[j] = 0;
    }
    // 1) recompute U_t (and activity) for this block
    for (let t = 0; t < T; t++) {
      const io = (repeated ? 0 : t * M) + e0;
      const bo = t * K;
      if (act) {
        for (let j = 0; j < k; j++) {
          if (r[j] > 0) {
            act[bo + j] = 0;
            ubuf[bo + j] = v[j];
            r[j] = r[j] - 1;
            continue;
          }
          act[bo + j] = 1;
          const u = fround(fround(v[j] * alpha) + cur[io + j]);
          ubuf[bo + j] = u;
          if (u >= vth) {
            v[j] = soft ? fround(u - vth) : 0;
            r[j] = R;
          } else v[j] = u;
        }
      } else {
        for (let j = 0; j < k; j++) {
          const u = fround(fround(v[j] * alpha) + cur[io + j]);
          ubuf[bo + j] = u;
          v[j] = u >= vth ? (soft ? fround(u - vth) : 0) : u;
        }
      }
    }
    // 2) surrogate derivative of every U_t in the block (entries past k are stale but unused)
    sgFn(ubuf, sg, T * K);
    // 3) reverse pass
    for (let j = 0; j < k; j++) {
      gv[j] = dy[T * M + e0 + j];
      acc[j] = 0;
    }
    for (let t = T - 1; t >= 0; t--) {
      const so = t * M + e0;
      const bo = t * K;
      if (!act && !repeated) {
        // the common case (no refractory, per-step input) as a tight loop
        for (let j = 0; j < k; j++) {
          const du = (soft || ubuf[bo + j] < vth ? gv[j] : 0) + dy[so + j] * sg[bo + j];
          dCur[so + j] = du;
          gv[j] = alpha * du;
        }
        continue;
      }
      for (let j = 0; j < k; j++) {
        if (act && act[bo + j] === 0) {
          // held step: dI = 0, gradient passes to V_{t-1} unchanged
          if (!repeated) dCur[so + j] = 0;
          continue;
        }
        const g = soft || ubuf[bo + j] < vth ? gv[j] : 0; // dV/dU: 1 (soft) | 1 - S (hard)
        const du = g + dy[so + j] * sg[bo + j];
        if (repeated) acc[j] += du;
        else dCur[so + j] = du;
        gv[j] = alpha * du;
      }
    }
    for (let j = 0; j < k; j++) {
      dV0[e0 + j] = gv[j];
      if (repeated) dCur[e0 + j] = acc[j];
    }
  }
}

function unitShape(infos: TensorInfo[]): number[] {
  return (infos[1] as TensorInfo).shape;
}

const forwardSpec: ArrayKernelSpec = {
  name: LIF_FORWARD_KERNEL,
  inputs: ['x', 'v0'],
  outputShapes(infos, attrs) {
    const [B, ...rest] = unitShape(infos);
    return [[(attrsOf(attrs).T + 1) * (B as number), ...rest]];
  },
  impl([cur, v0], [out], attrs, infos) {
    checkShapes(infos, attrsOf(attrs));
    lifForwardArrays(cur as Float32Array, v0 as Float32Array, out as Float32Array, attrsOf(attrs));
  },
};

const backwardSpec: ArrayKernelSpec = {
  name: LIF_BACKWARD_KERNEL,
  inputs: ['x', 'v0', 'dy'],
  outputShapes(infos) {
    return [(infos[0] as TensorInfo).shape, unitShape(infos)];
  },
  impl([cur, v0, dy], [dCur, dV0], attrs, infos) {
    const a = attrsOf(attrs);
    checkShapes(infos, a);
    const M = size(unitShape(infos));
    if (size((infos[2] as TensorInfo).shape) !== (a.T + 1) * M)
      throw new Error(`${LIF_BACKWARD_KERNEL}: dy has the wrong size`);
    lifBackwardArrays(
      cur as Float32Array,
      v0 as Float32Array,
      dy as Float32Array,
      dCur as Float32Array,
      dV0 as Float32Array,
      a,
    );
  },
};

function checkShapes(infos: TensorInfo[], a: LifKernelAttrs): void {
  const M = size(unitShape(infos));
  const n = size((infos[0] as TensorInfo).shape);
  if (n !== (a.repeated ? M : a.T * M))
    throw new Error(`SnnLif: currents size ${n} does not match T=${a.T} x v0 size ${M}`);
}

registerArrayKernel(forwardSpec);
registerArrayKernel(backwardSpec);
