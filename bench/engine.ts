/**
 * Engine benchmark (issue 2): forward vs forward+backward of a 3-conv stack at 32x32 (batch 32)
 * and of a dense layer 8192->1024 (batch 160) on the chosen engine, plus the pooling/relu
 * gradients and, with SNN_BENCH_COMPARE=1 on wasm, the stock wasm kernels for before/after.
 * Target: a training step costs at most 3.5x its forward pass on wasm.
 */
import {
  tf,
  initEngine,
  engineInfo,
  timeIt,
  gflops,
  installWasmTrainingKernels,
  uninstallWasmTrainingKernels,
  wasmTrainingKernelsInstalled,
} from '../packages/backend/src/index.js';
import type { BenchResult, BenchTiming } from '../packages/backend/src/index.js';

const REPS = Number(process.env.SNN_BENCH_REPS ?? 7);

const convFlops = (n: number, oh: number, ow: number, k: number, ci: number, co: number): number =>
  2 * n * oh * ow * k * k * ci * co;

function result(
  group: string,
  kase: string,
  t: BenchTiming,
  flops?: number,
  params?: BenchResult['params'],
): BenchResult {
  return {
    group,
    case: kase,
    ms: t.ms,
    cpuMs: t.cpuMs,
    minMs: t.minMs,
    samples: t.samples,
    ...(flops !== undefined ? { flops, gflops: gflops(flops, t.ms) } : {}),
    ...(params ? { params } : {}),
    engine: engineInfo(),
  };
}

/** train/forward by wall time and by process CPU time (steadier on a busy machine). */
function ratios(train: BenchTiming, fwd: BenchTiming): Record<string, number> {
  return {
    'train/forward': train.ms / fwd.ms,
    'train/forward best': train.minMs / fwd.minMs,
    'train/forward cpu': train.cpuMs / fwd.cpuMs,
  };
}

/** Forward alone vs forward + backward (tf.variableGrads) of the same loss, with their ratio. */
async function forwardVsTrain(
  group: string,
  label: string,
  forward: () => tf.Scalar,
  fwdFlops: number,
  trainFlops: number,
  params: BenchResult['params'],
): Promise<BenchResult[]> {
  const fwd = await timeIt(() => forward(), { warmup: 1, reps: REPS });
  const train = await timeIt(
    () => {
      const { value, grads } = tf.variableGrads(forward);
      return [value, ...Object.values(grads)];
    },
    { warmup: 1, reps: REPS },
  );
  const r = result(group, `train-step (${label})`, train, trainFlops, params);
  r.ratios = ratios(train, fwd);
  return [result(group, `forward (${label})`, fwd, fwdFlops, params), r];
}

async function convStack(label: string): Promise<BenchResult[]> {
  const N = 32;
  const x = tf.randomNormal([N, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w1 = tf.variable(
    tf.randomNormal([3, 3, 3, 64], 0, 0.2, 'float32', 2),
    true,
    `${label}w1`,
  ) as tf.Variable<tf.Rank.R4>;
  const w2 = tf.variable(
    tf.randomNormal([3, 3, 64, 128], 0, 0.05, 'float32', 3),
    true,
    `${label}w2`,
  ) as tf.Variable<tf.Rank.R4>;
  const w3 = tf.variable(
    tf.randomNormal([3, 3, 128, 128], 0, 0.05, 'float32', 4),
    true,
    `${label}w3`,
  ) as tf.Variable<tf.Rank.R4>;
  const forward = (): tf.Scalar => {
    const h1 = tf.relu(tf.conv2d(x, w1, 1, 'same'));
    const h2 = tf.relu(tf.conv2d(h1, w2, 2, 'same')); // 32x32 -> 16x16
    const h3 = tf.relu(tf.conv2d(h2, w3, 1, 'same'));
    return tf.mean(h3);
  };
  const f1 = convFlops(N, 32, 32, 3, 3, 64);
  const f2 = convFlops(N, 16, 16, 3, 64, 128);
  const f3 = convFlops(N, 16, 16, 3, 128, 128);
  const fwdFlops = f1 + f2 + f3;
  // backward: filter grads of all three layers + input grads of layers 2 and 3
  const trainFlops = fwdFlops + fwdFlops + f2 + f3;
  const params = { batch: N, input: '32x32x3', layers: '3->64 s1, 64->128 s2, 128->128 s1', kernels: label };
  try {
    return await forwardVsTrain('conv-stack', label, forward, fwdFlops, trainFlops, params);
  } catch (e) {
    process.stderr.write(`conv-stack (${label}) failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return [];
  } finally {
    tf.dispose([x, w1, w2, w3]);
  }
}

async function dense(label: string): Promise<BenchResult[]> {
  const B = 160;
  const x = tf.variable(tf.randomNormal([B, 8192], 0, 1, 'float32', 5), true, `${label}dx`) as tf.Variable<tf.Rank.R2>;
  const w = tf.variable(
    tf.randomNormal([8192, 1024], 0, 0.01, 'float32', 6),
    true,
    `${label}dw`,
  ) as tf.Variable<tf.Rank.R2>;
  const forward = (): tf.Scalar => tf.mean(tf.relu(tf.matMul(x, w)));
  const fwdFlops = 2 * B * 8192 * 1024;
  // dW = x^T dy (transposeA) and dx = dy W^T (transposeB): the input is a variable so that the
  // layer's backward is the one a dense layer inside a network runs.
  const trainFlops = 3 * fwdFlops;
  const params = { batch: B, in: 8192, out: 1024, kernels: label };
  try {
    return await forwardVsTrain('dense', label, forward, fwdFlops, trainFlops, params);
  } finally {
    tf.dispose([x, w]);
  }
}

async function pooling(): Promise<BenchResult[]> {
  const x = tf.randomNormal([32, 32, 32, 64], 0, 1, 'float32', 7) as tf.Tensor4D;
  const out: BenchResult[] = [];
  const cases: Array<[string, (t: tf.Tensor4D) => tf.Tensor]> = [
    ['avgPool 2x2', (t) => tf.avgPool(t, 2, 2, 'valid')],
    ['maxPool 2x2', (t) => tf.maxPool(t, 2, 2, 'valid')],
    ['relu', (t) => tf.relu(t)],
  ];
  for (const [name, f] of cases) {
    const fwd = await timeIt(() => tf.sum(f(x)), { reps: 5 });
    const grad = tf.grad((t: tf.Tensor) => tf.sum(f(t as tf.Tensor4D)));
    const train = await timeIt(() => tf.sum(grad(x)), { reps: 5 });
    const params = { shape: '32x32x32x64' };
    const r = result('pool-relu', `${name} fwd+bwd`, train, undefined, params);
    r.ratios = ratios(train, fwd);
    out.push(result('pool-relu', `${name} fwd`, fwd, undefined, params), r);
  }
  tf.dispose(x);
  return out;
}

export async function run(): Promise<BenchResult[]> {
  const info = await initEngine();
  const ours = info.name === 'wasm' && wasmTrainingKernelsInstalled() ? 'snn kernels' : 'stock';
  const results: BenchResult[] = [...(await convStack(ours)), ...(await dense(ours)), ...(await pooling())];
  if (info.name === 'wasm' && process.env.SNN_BENCH_COMPARE === '1' && wasmTrainingKernelsInstalled()) {
    // Before/after: the same cases on the stock wasm kernels (slow: seconds per step).
    uninstallWasmTrainingKernels();
    try {
      results.push(...(await convStack('stock')), ...(await dense('stock')));
    } finally {
      installWasmTrainingKernels();
    }
  }
  return results;
}
