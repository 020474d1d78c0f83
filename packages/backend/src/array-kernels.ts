/**
 * Kernels written in plain JS over float32 typed arrays, registered for the 'cpu' and 'wasm'
 * backends under our own kernel names (e.g. the fused LIF recurrence of @snn/core-neurons).
 *
 * Why: an element-wise recurrence written with tfjs ops launches O(T) small kernels, each
 * allocating its output; one JS pass over the data is several times faster. On wasm the arrays
 * are views of the wasm heap itself (no copy in or out); on cpu they are the backend's own
 * TypedArrays. All outputs are allocated BEFORE any view is taken, because a wasm allocation can
 * grow the heap, which detaches every earlier view of it.
 * The 'tensorflow' engine (tfjs-node) has no such kernels; callers test `arrayKernelAvailable`
 * and keep their tfjs-op path for it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import type { DataType, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

export type ArrayKernelBackend = 'cpu' | 'wasm';
export const ARRAY_KERNEL_BACKENDS: readonly ArrayKernelBackend[] = ['cpu', 'wasm'];

export interface ArrayKernelSpec {
  name: string;
  /** input names in the order `impl` receives them */
  inputs: readonly string[];
  /** shapes of the float32 outputs, from the input infos and attrs */
  outputShapes(inputs: TensorInfo[], attrs: NamedAttrMap): number[][];
  /**
   * The computation. Every output array must be written in full: on wasm outputs are fresh,
   * uninitialised heap memory. Must not allocate tensors.
   */
  impl(inputs: Float32Array[], outputs: Float32Array[], attrs: NamedAttrMap, infos: TensorInfo[]): void;
}

/** The parts of tfjs-backend-wasm's BackendWasm used here. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** The parts of tfjs-backend-cpu's MathBackendCPU used here. */
interface CpuBackendLike {
  data: { get(dataId: TensorInfo['dataId']): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: Float32Array): TensorInfo;
}

function inputInfos(spec: ArrayKernelSpec, inputs: Record<string, TensorInfo | undefined>): TensorInfo[] {
  return spec.inputs.map((n) => {
    const t = inputs[n];
    if (!t) throw new Error(`${spec.name}: missing input '${n}'`);
    if (t.dtype !== 'float32') throw new Error(`${spec.name}: input '${n}' must be float32, got ${t.dtype}`);
    return t;
  });
}

function wasmKernel(spec: ArrayKernelSpec): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackendLike;
    const infos = inputInfos(spec, inputs as Record<string, TensorInfo>);
    const a = (attrs ?? {}) as NamedAttrMap;
    const outs = spec.outputShapes(infos, a).map((s) => b.makeOutput(s, 'float32'));
    // views only now: makeOutput may have grown (and detached) the heap
    const view = (t: TensorInfo): Float32Array => b.typedArrayFromHeap(t) as Float32Array;
    spec.impl(infos.map(view), outs.map(view), a, infos);
    return outs;
  };
}

function cpuKernel(spec: ArrayKernelSpec): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CpuBackendLike;
    const infos = inputInfos(spec, inputs as Record<string, TensorInfo>);
    const a = (attrs ?? {}) as NamedAttrMap;
    const ins = infos.map((t) => {
      const v = b.data.get(t.dataId).values;
      if (!(v instanceof Float32Array)) throw new Error(`${spec.name}: cpu input is not a Float32Array`);
      return v;
    });
    const shapes = spec.outputShapes(infos, a);
    const outs = shapes.map((s) => new Float32Array(util.sizeFromShape(s)));
    spec.impl(ins, outs, a, infos);
    return shapes.map((s, i) => b.makeTensorInfo(s, 'float32', outs[i]));
  };
}

/** Registers `spec` for cpu and wasm (idempotent: a name already registered is left alone). */
export function registerArrayKernel(spec: ArrayKernelSpec): void {
  for (const backendName of ARRAY_KERNEL_BACKENDS) {
    if (tf.getKernel(spec.name, backendName)) continue;
    tf.registerKernel({
      kernelName: spec.name,
      backendName,
      kernelFunc: backendName === 'wasm' ? wasmKernel(spec) : cpuKernel(spec),
    });
  }
}

/** Whether the active backend has the array kernel `name` (false on 'tensorflow'). */
export function arrayKernelAvailable(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}

/** Runs a registered array kernel on tensors; returns one tensor per output. */
export function runArrayKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: NamedAttrMap): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}
