/**
 * Training kernels for the tfjs wasm backend (tfjs 4.22), which ships the forward paths fast
 * (XNNPACK) but the backward paths broken or slow: Conv2DBackpropFilter is missing,
 * Conv2DBackpropInput is a naive loop, BatchMatMul with transposeA/B runs 10-50x below the plain
 * product, and Slice/Unpack copy the whole input heap on every call (readSync). Each kernel here is
 * composed at the TensorInfo level from the wasm backend's own fast kernel functions (Conv2D,
 * Transpose, BatchMatMul) plus plain copies on the wasm heap, and frees its intermediates with
 * `backend.disposeData`: calling high-level tf ops inside a kernel would hand out tensors that the
 * surrounding tidy frees.
 *
 * Gradient identities used (NHWC, filter [KH, KW, Ci, Co], forward stride s, dilation 1, pad p):
 *   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-p, ...,ci] dy[n,oh,ow,co]
 *     = a stride-1 conv of x^T ([Ci,H,W,N]) with dy^T ([OH,OW,N,Co]) dilated by s.
 *   dx: for each output phase (a,b) = (h mod s, w mod s) only the filter taps kh = kh0 + s*m reach it,
 *     so dx restricted to a phase is a stride-1 conv of dy with the reversed sub-filter
 *     ("sub-pixel" decomposition of the transposed conv: exact FLOPs, no zero-dilated dy).
 * Tests (test/wasm-kernels.test.ts) compare every kernel with the cpu backend on random shapes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, slice_util, util } from '@tensorflow/tfjs-core';
import type { DataType, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's BackendWasm that the kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: TensorInfo['dataId'], force?: boolean): boolean;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type KernelArgs = Parameters<KernelFunc>[0];
type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

const OVERRIDDEN = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  '_FusedMatMul',
  'Slice',
  'Unpack',
  'MaxPoolGrad',
  'AvgPoolGrad',
] as const;

/** Stock wasm kernel configs, captured before we override any of them. */
const stock = new Map<string, KernelConfig>();
let installed = false;

function stockKernel(name: string): KernelConfig {
  const k = stock.get(name) ?? tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k;
}

function call(name: string, backend: WasmBackend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo {
  return stockKernel(name).kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

function free(backend: WasmBackend, infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return call('Transpose', backend, { x }, { perm });
}

/** Stride-1 NHWC convolution with explicit (non-negative) pads. */
function conv(
  backend: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  pads: Pad4,
  dilations: [number, number],
): TensorInfo {
  return call(
    'Conv2D',
    backend,
    { x, filter },
    {
      strides: [1, 1],
      pad: pads as unknown as NamedAttrMap[string],
      dataFormat: 'NHWC',
      dilations,
      dimRoundingMode: undefined as unknown as string,
    },
  );
}

/**
 * Copy of x[begin : begin+size] through views of the wasm heap (the stock Slice calls readSync,
 * which copies the entire input first; slicing T time steps out of a [T*B, ...] tensor cost O(T^2)).
 */
function sliceHeap(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = util.sizeFromShape(size);
  if (total === 0) return out;
  // Views are taken after makeOutput: allocating can grow (and detach) the heap buffer.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = util.computeStrides(x.shape);
  const stride = (d: number): number => (d === rank - 1 ? 1 : (strides[d] as number));
  // Innermost axis k whose inner axes are all taken whole: each copy is a contiguous run.
  let k = rank - 1;
  while (k > 0 && size[k] === x.shape[k]) k--;
  const run = (size[k] as number) * stride(k);
  const outer = total / run;
  const idx = new Array<number>(k).fill(0);
  let base = 0;
  for (let d = 0; d <= k; d++) base += (begin[d] as number) * stride(d);
  let o = 0;
  for (let r = 0; r < outer; r++) {
    let off = base;
    for (let d = 0; d < k; d++) off += (idx[d] as number) * stride(d);
    if (run >= 16) dst.set(src.subarray(off, off + run), o);
    else for (let i = 0; i < run; i++) dst[o + i] = src[off + i] as number;
    o += run;
    for (let d = k - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (size[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}

function sliceKernel(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return stockKernel('Slice').kernelFunc(args) as TensorInfo;
  const attrs = args.attrs as { begin: number | number[]; size?: number | number[] };
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  return sliceHeap(backend, x, begin, size);
}

function unpackKernel(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const value = args.inputs.value as TensorInfo;
  if (value.dtype === 'string') return stockKernel('Unpack').kernelFunc(args) as TensorInfo[];
  const rank = value.shape.length;
  let axis = (args.attrs as { axis: number }).axis;
  if (axis < 0) axis += rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(rank).fill(0);
  const size = value.shape.slice();
  size[axis] = 1;
  const outs: TensorInfo[] = [];
  for (let i = 0; i < (value.shape[axis] as number); i++) {
    begin[axis] = i;
    const s = sliceHeap(backend, value, begin, size);
    outs.push({ dataId: s.dataId, dtype: s.dtype, shape: outShape });
  }
  return outs;
}

/** Crops x (NHWC) where a pad is negative; returns the crop (or x) and the remaining pads. */
function cropNegativePads(
  backend: WasmBackend,
  x: TensorInfo,
  top: number,
  bottom: number,
  left: number,
  right: number,
  temps: TensorInfo[],
): { x: TensorInfo; pads: Pad4 } {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const ct = Math.max(0, -top);
  const cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left);
  const cr = Math.max(0, -right);
  let out = x;
  if (ct + cb + cl + cr > 0) {
    out = sliceHeap(backend, x, [0, ct, cl, 0], [n, h - ct - cb, w - cl - cr, c]);
    temps.push(out);
  }
  return {
    x: out,
    pads: [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ],
  };
}

function convInfoOf(xShape: number[], filterShape: number[], attrs: NamedAttrMap): backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (dataFormat === 'NCHW') throw new Error('wasm conv gradients: only NHWC is supported');
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * Below this many filter rows (KH*KW*Ci, e.g. 27 for a 3x3 conv on RGB input) the conv form of dW
 * has too few output pixels for XNNPACK's tiles (44 ms vs 6 ms forward at 32x32x3->64, batch 32);
 * there dW = patches^T · dy with the patches gathered in JS is several times faster.
 */
const IM2COL_MAX_ROWS = 64;

function filterGradIm2col(
  backend: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outChannels: Co } = info;
  const { outHeight: OH, outWidth: OW, strideHeight: sH, strideWidth: sW, filterHeight: KH, filterWidth: KW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const R = KH * KW * Ci;
  const P = N * OH * OW;
  const patches = backend.makeOutput([1, R, P], 'float32');
  const pv = backend.typedArrayFromHeap(patches) as Float32Array;
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  let o = 0;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let ci = 0; ci < Ci; ci++) {
        for (let n = 0; n < N; n++) {
          for (let oh = 0; oh < OH; oh++) {
            const h = oh * sH + kh - top;
            if (h < 0 || h >= H) {
              pv.fill(0, o, o + OW);
              o += OW;
              continue;
            }
            const rowBase = (n * H + h) * W;
            for (let ow = 0; ow < OW; ow++) {
              const w = ow * sW + kw - left;
              pv[o++] = w >= 0 && w < W ? (xv[(rowBase + w) * Ci + ci] as number) : 0;
            }
          }
        }
      }
    }
  }
  const dy3: TensorInfo = { dataId: dy.dataId, shape: [1, P, Co], dtype: dy.dtype };
  const g = call('BatchMatMul', backend, { a: patches, b: dy3 }, { transposeA: false, transposeB: false });
  backend.disposeData(patches.dataId);
  return { dataId: g.dataId, shape: [KH, KW, Ci, Co], dtype: g.dtype };
}

function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const attrs = args.attrs as NamedAttrMap;
  const info = convInfoOf(x.shape, attrs.filterShape as number[], attrs);
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, strideHeight: sH, strideWidth: sW } = info;
  const { filterHeight: KH, filterWidth: KW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  if (KH * KW * info.inChannels <= IM2COL_MAX_ROWS) return filterGradIm2col(backend, x, dy, info);
  const temps: TensorInfo[] = [];
  // Rows past H + bottom are never read by the forward conv (valid padding, stride > 1).
  const bottom = KH + (OH - 1) * sH - H - top;
  const right = KW + (OW - 1) * sW - W - left;
  const c = cropNegativePads(backend, x, top, bottom, left, right, temps);
  const xT = transpose(backend, c.x, [3, 1, 2, 0]); // [Ci, H, W, N]: Ci plays the batch
  temps.push(xT);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [OH, OW, N, Co]: dy plays the filter
  temps.push(dyT);
  const g = conv(backend, xT, dyT, c.pads, [sH, sW]); // [Ci, KH, KW, Co]
  temps.push(g);
  const out = transpose(backend, g, [1, 2, 0, 3]);
  free(backend, temps);
  return out;
}

interface Phase {
  /** output phase: rows h = s*i + a */
  a: number;
  /** rows in this phase */
  n: number;
  /** first filter tap reaching the phase */
  k0: number;
  /** number of taps k0, k0+s, ... below K */
  m: number;
  /** pads of the stride-1 conv over dy */
  lo: number;
  hi: number;
}

function phases(size: number, k: number, s: number, pad: number, outSize: number): Phase[] {
  const res: Phase[] = [];
  for (let a = 0; a < s; a++) {
    const n = a < size ? Math.ceil((size - a) / s) : 0;
    const k0 = (a + pad) % s;
    const q = (a + pad - k0) / s;
    const m = k0 < k ? Math.ceil((k - k0) / s) : 0;
    res.push({ a, n, k0, m, lo: m - 1 - q, hi: n + q - outSize });
  }
  return res;
}

function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const attrs = args.attrs as NamedAttrMap;
  const inputShape = attrs.inputShape as number[];
  const info = convInfoOf(inputShape, filter.shape, attrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outChannels: Co } = info;
  const { outHeight: OH, outWidth: OW, strideHeight: sH, strideWidth: sW, filterHeight: KH, filterWidth: KW } = info;
  const rows = phases(H, KH, sH, info.padInfo.top, OH);
  const cols = phases(W, KW, sW, info.padInfo.left, OW);
  const single = sH === 1 && sW === 1;
  const dx = single ? null : backend.makeOutput([N, H, W, Ci], 'float32');
  if (dx && rows.concat(cols).some((p) => p.m === 0 && p.n > 0)) backend.typedArrayFromHeap(dx).fill(0);
  for (const r of rows) {
    for (const c of cols) {
      if (r.n === 0 || c.n === 0 || r.m === 0 || c.m === 0) continue;
      const temps: TensorInfo[] = [];
      // Sub-filter [Mh, Mw, Co, Ci]: taps k0 + s*m reversed, in/out channels swapped.
      const sub = backend.makeOutput([r.m, c.m, Co, Ci], 'float32');
      temps.push(sub);
      const sv = backend.typedArrayFromHeap(sub);
      const wv = backend.typedArrayFromHeap(filter);
      let o = 0;
      for (let i = 0; i < r.m; i++) {
        const kh = r.k0 + sH * (r.m - 1 - i);
        for (let j = 0; j < c.m; j++) {
          const kw = c.k0 + sW * (c.m - 1 - j);
          const base = (kh * KW + kw) * Ci * Co;
          for (let co = 0; co < Co; co++) {
            for (let ci = 0; ci < Ci; ci++) sv[o++] = wv[base + ci * Co + co] as number;
          }
        }
      }
      const cr = cropNegativePads(backend, dy, r.lo, r.hi, c.lo, c.hi, temps);
      const p = conv(backend, cr.x, sub, cr.pads, [1, 1]); // [N, r.n, c.n, Ci]
      if (single || !dx) {
        free(backend, temps);
        return p;
      }
      temps.push(p);
      // Interleave the phase into dx (a strided scatter of contiguous channel runs).
      const pv = backend.typedArrayFromHeap(p);
      const dv = backend.typedArrayFromHeap(dx);
      let src = 0;
      for (let b = 0; b < N; b++) {
        for (let i = 0; i < r.n; i++) {
          let dst = ((b * H + sH * i + r.a) * W + c.a) * Ci;
          for (let j = 0; j < c.n; j++) {
            if (Ci >= 16) dv.set(pv.subarray(src, src + Ci), dst);
            else for (let ch = 0; ch < Ci; ch++) dv[dst + ch] = pv[src + ch] as number;
            src += Ci;
            dst += sW * Ci;
          }
        }
      }
      free(backend, temps);
    }
  }
  if (dx) return dx;
  // Stride 1 with no tap reaching the input (cannot happen for K >= 1): zeros.
  const z = backend.makeOutput([N, H, W, Ci], 'float32');
  backend.typedArrayFromHeap(z).fill(0);
  return z;
}

/** inputs and pooling geometry of a MaxPoolGrad / AvgPoolGrad call */
function poolGradArgs(args: KernelArgs): {
  backend: WasmBackend;
  dy: TensorInfo;
  input: TensorInfo;
  info: backend_util.Conv2DInfo;
} {
  const backend = args.backend as WasmBackend;
  const dy = args.inputs.dy as TensorInfo;
  const input = args.inputs.input as TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return { backend, dy, input, info };
}

/**
 * Max-pool gradient: dy goes to the first maximum of each window (row-major scan, as the cpu
 * backend and TensorFlow do). The stock wasm MaxPoolGrad disagrees with cpu by O(1) on plain 2x2
 * pools (tfjs 4.22); this is a direct loop over the wasm heap, channels innermost.
 */
function maxPoolGrad(args: KernelArgs): TensorInfo {
  const { backend, dy, input, info } = poolGradArgs(args);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sH, strideWidth: sW, filterHeight: fH, filterWidth: fW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = backend.makeOutput(input.shape, 'float32');
  const dxv = backend.typedArrayFromHeap(dx) as Float32Array;
  const xv = backend.typedArrayFromHeap(input) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  dxv.fill(0);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - top;
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sW - left;
        best.fill(-Infinity);
        where.fill(-1);
        for (let kh = 0; kh < fH; kh++) {
          const h = h0 + kh;
          if (h < 0 || h >= H) continue;
          for (let kw = 0; kw < fW; kw++) {
            const w = w0 + kw;
            if (w < 0 || w >= W) continue;
            const base = ((n * H + h) * W + w) * C;
            for (let c = 0; c < C; c++) {
              const v = xv[base + c] as number;
              if (v > (best[c] as number) || where[c] === -1) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++) {
          const at = where[c] as number;
          if (at >= 0) dxv[at] = (dxv[at] as number) + (dyv[o + c] as number);
        }
        o += C;
      }
    }
  }
  return dx;
}

function swapLast(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return perm;
}

/**
 * op(A)·op(B) with the transposes done by wasm's fast Transpose, then the fast non-transposed
 * product. Two ways: transpose the flagged operands, or compute (op(B)^T · op(A)^T)^T, which
 * transposes the unflagged operands and the output; pick whichever moves fewer elements (for a
 * dense layer's dx = dy·W^T the second avoids transposing the large weight matrix).
 */
function batchMatMulKernel(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const a = args.inputs.a as TensorInfo;
  const b = args.inputs.b as TensorInfo;
  const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
  const { transposeA: tA, transposeB: tB } = attrs;
  if (!tA && !tB) return stockKernel('BatchMatMul').kernelFunc(args) as TensorInfo;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const sizeA = util.sizeFromShape(a.shape);
  const sizeB = util.sizeFromShape(b.shape);
  const m = tA ? (a.shape[ra - 1] as number) : (a.shape[ra - 2] as number);
  const n = tB ? (b.shape[rb - 2] as number) : (b.shape[rb - 1] as number);
  const batch = Math.max(util.sizeFromShape(a.shape.slice(0, -2)), util.sizeFromShape(b.shape.slice(0, -2)));
  const costDirect = (tA ? sizeA : 0) + (tB ? sizeB : 0);
  const costSwapped = (tA ? 0 : sizeA) + (tB ? 0 : sizeB) + batch * m * n;
  const temps: TensorInfo[] = [];
  const flat = { transposeA: false, transposeB: false };
  if (costDirect <= costSwapped) {
    const a2 = tA ? transpose(backend, a, swapLast(ra)) : a;
    const b2 = tB ? transpose(backend, b, swapLast(rb)) : b;
    if (tA) temps.push(a2);
    if (tB) temps.push(b2);
    const out = call('BatchMatMul', backend, { a: a2, b: b2 }, flat);
    free(backend, temps);
    return out;
  }
  // C^T = op(B)^T · op(A)^T
  const bT = tB ? b : transpose(backend, b, swapLast(rb));
  const aT = tA ? a : transpose(backend, a, swapLast(ra));
  if (!tB) temps.push(bT);
  if (!tA) temps.push(aT);
  const cT = call('BatchMatMul', backend, { a: bT, b: aT }, flat);
  temps.push(cT);
  const out = transpose(backend, cT, swapLast(cT.shape.length));
  free(backend, temps);
  return out;
}

function fusedMatMulKernel(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const attrs = args.attrs as NamedAttrMap & { transposeA: boolean; transposeB: boolean };
  if (!attrs.transposeA && !attrs.transposeB) return stockKernel('_FusedMatMul').kernelFunc(args) as TensorInfo;
  const a = args.inputs.a as TensorInfo;
  const b = args.inputs.b as TensorInfo;
  const temps: TensorInfo[] = [];
  const a2 = attrs.transposeA ? transpose(backend, a, swapLast(a.shape.length)) : a;
  const b2 = attrs.transposeB ? transpose(backend, b, swapLast(b.shape.length)) : b;
  if (attrs.transposeA) temps.push(a2);
  if (attrs.transposeB) temps.push(b2);
  const out = stockKernel('_FusedMatMul').kernelFunc({
    inputs: { ...args.inputs, a: a2, b: b2 },
    backend,
    attrs: { ...attrs, transposeA: false, transposeB: false },
  }) as TensorInfo;
  free(backend, temps);
  return out;
}

/**
 * Average-pool gradient. For non-overlapping windows without padding (filter = stride, 'valid',
 * every input in exactly one window: the VGG/ResNet pools) each input gets dy · 1/(fH·fW) of its
 * window, a single product, the same value the cpu backend computes; a direct loop over the heap
 * is ~5× faster than the stock wasm kernel there. Anything else goes to the stock kernel.
 */
function avgPoolGrad(args: KernelArgs): TensorInfo {
  const { backend, dy, input, info } = poolGradArgs(args);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sH, strideWidth: sW, filterHeight: fH, filterWidth: fW } = info;
  const tiled =
    sH === fH && sW === fW && OH * fH === H && OW * fW === W && info.padInfo.top === 0 && info.padInfo.left === 0;
  if (!tiled)
    return call('AvgPoolGrad', backend, args.inputs as Record<string, TensorInfo>, args.attrs as NamedAttrMap);
  const dx = backend.makeOutput(input.shape, 'float32');
  const dxv = backend.typedArrayFromHeap(dx) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const mult = 1 / (fH * fW);
  const rowC = W * C;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const dyRow = (n * OH + oh) * OW * C;
      for (let kh = 0; kh < fH; kh++) {
        let at = (n * H + oh * fH + kh) * rowC;
        for (let ow = 0; ow < OW; ow++) {
          const src = dyRow + ow * C;
          for (let kw = 0; kw < fW; kw++) {
            for (let c = 0; c < C; c++) dxv[at + c] = (dyv[src + c] as number) * mult;
            at += C;
          }
        }
      }
    }
  }
  return dx;
}

const ours: Record<(typeof OVERRIDDEN)[number], KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter as KernelFunc,
  Conv2DBackpropInput: conv2DBackpropInput as KernelFunc,
  BatchMatMul: batchMatMulKernel as KernelFunc,
  _FusedMatMul: fusedMatMulKernel as KernelFunc,
  Slice: sliceKernel as KernelFunc,
  Unpack: unpackKernel as KernelFunc,
  MaxPoolGrad: maxPoolGrad as KernelFunc,
  AvgPoolGrad: avgPoolGrad as KernelFunc,
};

/**
 * Registers our kernels over the wasm backend's. Must run after the wasm backend initialised
 * (the stock kernels we delegate to have their setup functions run then). Idempotent.
 */
export function installWasmTrainingKernels(): void {
  if (installed) return;
  for (const name of OVERRIDDEN) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing) {
      stock.set(name, existing);
      tf.unregisterKernel(name, 'wasm');
    }
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: ours[name] });
  }
  installed = true;
}

/** Puts the stock wasm kernels back (for before/after benchmarks and tests). */
export function uninstallWasmTrainingKernels(): void {
  if (!installed) return;
  for (const name of OVERRIDDEN) {
    tf.unregisterKernel(name, 'wasm');
    const s = stock.get(name);
    if (s) tf.registerKernel(s);
  }
  installed = false;
}

export function wasmTrainingKernelsInstalled(): boolean {
  return installed;
}

/** Names of the kernels we replace or add on wasm. */
export const WASM_TRAINING_KERNELS: readonly string[] = OVERRIDDEN;
