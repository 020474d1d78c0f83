import { tf, initEngine } from '../packages/backend/src/index.js';
await initEngine();
const cpuT = (f: () => tf.Tensor, reps = 5) => { const o0 = tf.tidy(f); o0.dataSync(); o0.dispose(); const ts: number[] = [];
  for (let i = 0; i < reps; i++) { const c = process.cpuUsage(); const o = tf.tidy(f); o.dataSync(); o.dispose(); const d = process.cpuUsage(c); ts.push((d.user + d.system) / 1000); }
  ts.sort((a, b) => a - b); return ts[Math.floor(reps / 2)].toFixed(1); };
const x = tf.randomNormal([32, 32, 32, 64]) as tf.Tensor4D; const dy = tf.randomNormal([32, 16, 16, 64]) as tf.Tensor4D;
console.log('relu', cpuT(() => tf.relu(x)), 'step', cpuT(() => tf.step(x)), 'mul', cpuT(() => tf.mul(x, x)), 'ones', cpuT(() => tf.ones(x.shape)), 'add', cpuT(() => tf.add(x, x)));
console.log('avgPool', cpuT(() => tf.avgPool(x, 2, 2, 'valid')), 'avgPoolGrad', cpuT(() => tf.engine().runKernel('AvgPoolGrad', {dy, input: x} as any, {filterSize: 2, strides: 2, pad: 'valid'} as any) as tf.Tensor));
const y = tf.maxPool(x, 2, 2, 'valid');
console.log('maxPool', cpuT(() => tf.maxPool(x, 2, 2, 'valid')), 'maxPoolGrad', cpuT(() => tf.engine().runKernel('MaxPoolGrad', {dy, input: x, output: y} as any, {filterSize: 2, strides: 2, pad: 'valid'} as any) as tf.Tensor));
console.log('mean grad', cpuT(() => tf.grad((t: tf.Tensor) => tf.mean(t))(x)), 'relu grad', cpuT(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu(t)))(x)));
