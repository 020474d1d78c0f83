/**
 * @snn/backend: the one TensorFlow.js instance every package uses (`tf`), engine selection with
 * fast wasm training kernels, seeded randomness, and the benchmark result type.
 */
import './gradients.js';
export * as tf from '@tensorflow/tfjs-core';
export { initEngine, engineInfo } from './engine.js';
export type { EngineInfo, EngineName } from './engine.js';
export { makeRng, deriveSeed } from './seed.js';
export type { Rng } from './seed.js';
export {
  installWasmTrainingKernels,
  uninstallWasmTrainingKernels,
  wasmTrainingKernelsInstalled,
  WASM_TRAINING_KERNELS,
} from './wasm-kernels.js';
export { registerArrayKernel, arrayKernelAvailable, runArrayKernel, ARRAY_KERNEL_BACKENDS } from './array-kernels.js';
export type { ArrayKernelSpec, ArrayKernelBackend } from './array-kernels.js';
export { timeIt, gflops, median } from './bench.js';
export type { BenchResult, BenchTiming } from './bench.js';
