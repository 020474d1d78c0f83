/**
 * Engine selection: one call picks the TensorFlow.js backend for the whole process.
 * Order: tfjs-node ('tensorflow', native, optional dependency) if its binding loads, else wasm
 * (XNNPACK, SIMD) with our training kernels (./wasm-kernels.ts), else the pure-JS cpu backend.
 * `SNN_BACKEND=tensorflow|wasm|cpu` forces one; a forced engine that cannot start is an error,
 * never a silent fallback, so a result's recorded engine is the one that produced it.
 */
import { createRequire } from 'node:module';
import { onednnIsa } from './isa.js';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './gradients.js';
import { installWasmTrainingKernels, wasmTrainingKernelsInstalled } from './wasm-kernels.js';

export type EngineName = 'tensorflow' | 'wasm' | 'cpu';

export interface EngineInfo {
  name: EngineName;
  /** Version of the backend package (tfjs-core's for cpu). */
  version: string;
  simd?: boolean;
  threads?: number;
  /** tensorflow only: the TensorFlow C library's version (e.g. 2.21.0). */
  tfVersion?: string;
  /**
   * tensorflow only: the instruction-set class its oneDNN kernels run with (`avx512`, `avx2`, ...;
   * `eigen` with TF_ENABLE_ONEDNN_OPTS=0). oneDNN picks its code by the CPU, and the last bits of a
   * conv differ between classes (through training, other numbers), so it is part of the engine.
   */
  isa?: string;
  /** wasm only: whether our training kernels replace the stock ones (SNN_WASM_STOCK=1 disables). */
  customKernels?: boolean;
}

const ENGINE_NAMES: readonly EngineName[] = ['tensorflow', 'wasm', 'cpu'];
const require = createRequire(import.meta.url);

let current: EngineInfo | null = null;
let pending: Promise<EngineInfo> | null = null;
let pendingKey = '';
let logged = false;

function parseEngineName(v: string, source: string): EngineName {
  const name = v.trim().toLowerCase();
  if (name === 'node' || name === 'tfjs-node') return 'tensorflow';
  if ((ENGINE_NAMES as readonly string[]).includes(name)) return name as EngineName;
  throw new Error(`${source}=${v}: unknown engine; use one of ${ENGINE_NAMES.join(', ')}`);
}

/**
 * TensorFlow's own settings, read by its C library when tfjs-node loads (so set before the import):
 * quiet logs, deterministic kernels (`TF_DETERMINISTIC_OPS`: same seed, same numbers) and the
 * intra-op thread count. Threads default to 1: `pnpm reproduce` computes one row per core, and at
 * `quick` widths a second thread per process gains under 5% (bench snn-step). `SNN_THREADS`
 * (or TF's own `TF_NUM_INTRAOP_THREADS`) overrides it, e.g. for one big run on a many-core machine.
 */
export function tensorflowEnv(env: NodeJS.ProcessEnv = process.env): { threads: number } {
  env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  env.TF_DETERMINISTIC_OPS ??= '1';
  if (env.TF_NUM_INTRAOP_THREADS === undefined) {
    const t = env.SNN_THREADS ?? '1';
    if (!/^[1-9][0-9]*$/.test(t)) throw new Error(`SNN_THREADS=${t}: expected a positive whole number of threads`);
    env.TF_NUM_INTRAOP_THREADS = t;
  }
  env.TF_NUM_INTEROP_THREADS ??= '1';
  return { threads: Number(env.TF_NUM_INTRAOP_THREADS) };
}

async function tryTensorflow(): Promise<EngineInfo> {
  // A variable specifier keeps bundlers/typecheck from requiring the optional package.
  const spec = '@tensorflow/tfjs-node';
  let version = 'unknown';
  const { threads } = tensorflowEnv();
  try {
    const mod = (await import(spec)) as { version?: { 'tfjs-node'?: string } };
    version = mod.version?.['tfjs-node'] ?? version;
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(
      `engine 'tensorflow' is unavailable: @tensorflow/tfjs-node did not load (${reason}). ` +
        `\`pnpm install\` sets it up offline (scripts/setup-native.mjs; a deleted native cache is rebuilt there), ` +
        `or choose SNN_BACKEND=wasm.`,
    );
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    throw new Error(
      `engine 'tensorflow': @tensorflow/tfjs-node loaded but registered no 'tensorflow' backend on this ` +
        `tfjs-core instance (${tf.version_core}); its @tensorflow/tfjs-core must be the same 4.22.0 copy.`,
    );
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`engine 'tensorflow' failed to initialise`);
  const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
  return { name: 'tensorflow', version, tfVersion: binding?.TF_Version, threads, isa: onednnIsa() };
}

async function tryWasm(): Promise<EngineInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (tf.engine().registry.wasm == null) {
    // The .wasm binaries sit beside the package's main file; resolve them so any cwd works.
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(dir + path.sep);
  }
  if (!(await tf.setBackend('wasm'))) throw new Error(`engine 'wasm' failed to initialise`);
  const stock = process.env.SNN_WASM_STOCK === '1';
  if (!stock) installWasmTrainingKernels();
  return {
    name: 'wasm',
    version: wasm.version_wasm,
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    threads: wasm.getThreadsCount(),
    customKernels: wasmTrainingKernelsInstalled(),
  };
}

async function tryCpu(): Promise<EngineInfo> {
  if (!(await tf.setBackend('cpu'))) throw new Error(`engine 'cpu' failed to initialise`);
  return { name: 'cpu', version: tf.version_core };
}

const starters: Record<EngineName, () => Promise<EngineInfo>> = {
  tensorflow: tryTensorflow,
  wasm: tryWasm,
  cpu: tryCpu,
};

async function select(forced: EngineName | undefined): Promise<EngineInfo> {
  if (forced) return starters[forced]();
  const failures: string[] = [];
  for (const name of ENGINE_NAMES) {
    try {
      return await starters[name]();
    } catch (e) {
      failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`no TensorFlow.js engine could start:\n  ${failures.join('\n  ')}`);
}

function describe(info: EngineInfo): string {
  const parts = [`tfjs ${info.version}`];
  if (info.tfVersion) parts.push(`TensorFlow ${info.tfVersion}`);
  if (info.isa) parts.push(`oneDNN ${info.isa}`);
  if (info.simd !== undefined) parts.push(info.simd ? 'simd' : 'no simd');
  if (info.threads !== undefined) parts.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  if (info.customKernels !== undefined) parts.push(info.customKernels ? 'snn training kernels' : 'stock kernels');
  return `[snn] engine: ${info.name} (${parts.join(', ')})`;
}

/**
 * The cpu backend prints a multi-line "install tfjs-node" banner on its first write in Node; we
 * already chose tfjs-node when it loads, and tests switch to cpu as the reference backend.
 */
function silenceCpuNodeBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

/**
 * Picks and initialises the engine. `SNN_BACKEND` overrides `opts.backend`. Idempotent: repeated
 * calls return the same info; a call that asks for a different engine switches to it.
 */
export async function initEngine(opts: { backend?: EngineName; quiet?: boolean } = {}): Promise<EngineInfo> {
  const env = process.env.SNN_BACKEND;
  const forced = env ? parseEngineName(env, 'SNN_BACKEND') : opts.backend;
  const key = forced ?? 'auto';
  if (current && (forced === undefined || forced === current.name) && tf.getBackend() === current.name) {
    return current;
  }
  if (pending && pendingKey === key) return pending;
  pendingKey = key;
  pending = select(forced).then(
    (info) => {
      const changed = current?.name !== info.name;
      silenceCpuNodeBanner();
      current = info;
      pending = null;
      if ((!logged || changed) && !opts.quiet) {
        process.stderr.write(describe(info) + '\n');
        logged = true;
      }
      return info;
    },
    (e: unknown) => {
      pending = null;
      throw e;
    },
  );
  return pending;
}

/** The engine chosen by `initEngine`, for recording alongside every result. */
export function engineInfo(): EngineInfo {
  if (!current) throw new Error('engineInfo(): call `await initEngine()` first');
  return { ...current };
}
