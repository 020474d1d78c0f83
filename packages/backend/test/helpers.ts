import { tf, initEngine } from '../src/index.js';

/** Initialise the wasm engine for a test file regardless of SNN_BACKEND. */
export async function useWasm(): Promise<void> {
  const saved = process.env.SNN_BACKEND;
  delete process.env.SNN_BACKEND;
  try {
    await initEngine({ backend: 'wasm', quiet: true });
  } finally {
    if (saved !== undefined) process.env.SNN_BACKEND = saved;
  }
}

/** max |a-b| / max |b| over all outputs (b = cpu reference). */
export function relErr(a: tf.Tensor[], b: tf.Tensor[]): number {
  let worst = 0;
  a.forEach((t, i) => {
    const ref = b[i] as tf.Tensor;
    if (t.shape.join() !== ref.shape.join()) throw new Error(`shape ${t.shape} vs ${ref.shape}`);
    const av = t.dataSync();
    const bv = ref.dataSync();
    let diff = 0;
    let scale = 0;
    for (let j = 0; j < bv.length; j++) {
      diff = Math.max(diff, Math.abs((av[j] as number) - (bv[j] as number)));
      scale = Math.max(scale, Math.abs(bv[j] as number));
    }
    if (!Number.isFinite(diff)) worst = Infinity;
    worst = Math.max(worst, diff / Math.max(scale, 1e-6));
  });
  return worst;
}

/**
 * Runs `f` on wasm and on cpu (inputs rebuilt by `f` on each backend from seeds) and returns the
 * relative error; also checks that wasm freed every intermediate (no data ids leaked).
 */
export function compareWithCpu(f: () => tf.Tensor[]): number {
  tf.setBackend('wasm');
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const before = backend.numDataIds();
  const onWasm = tf.tidy(f);
  const wasmVals = onWasm.map((t) => tf.tensor(t.dataSync(), t.shape, t.dtype));
  tf.dispose(onWasm);
  // wasmVals live on wasm too: count them out before checking leaks.
  const leaked = backend.numDataIds() - before - wasmVals.length;
  if (leaked !== 0) throw new Error(`wasm leaked ${leaked} data ids`);
  tf.setBackend('cpu');
  const onCpu = tf.tidy(f);
  const wasmOnCpu = wasmVals.map((t) => {
    const c = tf.tensor(t.dataSync(), t.shape, t.dtype);
    return c;
  });
  tf.setBackend('wasm');
  tf.dispose(wasmVals);
  tf.setBackend('cpu');
  const err = relErr(wasmOnCpu, onCpu);
  tf.dispose([...onCpu, ...wasmOnCpu]);
  tf.setBackend('wasm');
  return err;
}
