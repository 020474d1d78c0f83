// temporary profiler (not a bench module: .mts)
import { tf, initEngine, deriveSeed } from '../packages/backend/src/index.js';
import { poissonEncode } from '../packages/encoders/src/index.js';
import { forward, getTopology, initParams } from '../packages/models/src/index.js';
await initEngine();
const T = 25, micro = Number(process.env.MICRO ?? 8);
const topo = getTopology('VGG5', { width: 1 });
const params = initParams(topo, 1);
const x = tf.randomUniform([micro, 32, 32, 3], 0, 1, 'float32', 1);
const spikes = poissonEncode(x, T, deriveSeed(1, 'b', 'p', 0));
const labels = tf.oneHot(tf.tensor1d(Array.from({ length: micro }, (_, j) => j % 10), 'int32'), 10);
const neuron = () => ({ kind: 'lif' as const, alpha: 0.99, vth: 1, reset: 'soft' as const, surrogate: { name: 'pwl' as const, gamma: 0.3 } });
const step = () => {
  const { value, grads } = tf.variableGrads(() => {
    const { logits } = forward(topo, params, spikes, { mode: 'snn', T, neuron, schedule: 'folded' });
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  }, Object.values(params));
  const g = Object.values(grads);
  g.forEach((t) => t.dataSync());
  return [value, ...g];
};
tf.dispose(step());
const t0 = performance.now();
tf.dispose(step());
console.log('step ms', (performance.now() - t0).toFixed(0));
const prof = await tf.profile(() => { tf.dispose(step()); });
const agg = new Map<string, { ms: number; n: number }>();
let total = 0;
for (const k of prof.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : Number((k.kernelTimeMs as unknown as { error?: string }) ?? 0);
  const key = `${k.name} ${k.outputShapes?.[0]?.join('x') ?? ''}`;
  const a = agg.get(key) ?? { ms: 0, n: 0 };
  a.ms += ms; a.n++; total += ms;
  agg.set(key, a);
}
console.log('profiled kernel ms total', total.toFixed(0), 'kernels', prof.kernels.length);
for (const [k, v] of [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(4), k);
const heavy = /^(Conv2D|Conv2DBackpropFilter|Conv2DBackpropInput|BatchMatMul|_FusedMatMul|AvgPool|AvgPoolGrad)$/;
let heavyMs = 0, scopeMs = 0, restMs = 0;
for (const k of prof.kernels) { const ms = Number(k.kernelTimeMs); if (heavy.test(k.name)) heavyMs += ms; else if (k.name === 'unnamed scope') scopeMs += ms; else restMs += ms; }
console.log(`conv/matmul/pool ${heavyMs.toFixed(0)}  customGrad forward scopes ${scopeMs.toFixed(0)}  other kernels ${restMs.toFixed(0)}`);
