import { tf, initEngine } from '../packages/backend/src/index.js';
await initEngine();
const cpuT = (f: () => tf.Tensor, reps = 7) => { const o0 = tf.tidy(f); o0.dataSync(); o0.dispose(); const ts: string[] = [];
  for (let i = 0; i < reps; i++) { const c = process.cpuUsage(); const t0 = performance.now(); const o = tf.tidy(f); o.dataSync(); o.dispose(); const d = process.cpuUsage(c); ts.push(`${(d.user/1000).toFixed(0)}/${(d.system/1000).toFixed(0)}/${(performance.now()-t0).toFixed(0)}`); }
  return ts.join(' '); };
const x = tf.randomNormal([32, 32, 32, 64]) as tf.Tensor4D; const x2 = tf.randomNormal([32, 32, 32, 64]) as tf.Tensor4D;
console.log('mul', cpuT(() => tf.mul(x, x2)));
console.log('add', cpuT(() => tf.add(x, x2)));
console.log('ones', cpuT(() => tf.ones(x.shape)));
console.log('fill', cpuT(() => tf.fill(x.shape, 1)));
console.log('mul', cpuT(() => tf.mul(x, x2)));
console.log('mulscalar', cpuT(() => tf.mul(x, 2)));
