import { tf, initEngine } from '../packages/backend/src/index.js';
await initEngine();
const cpuT = (f: () => tf.Tensor, reps = 3) => { const o0 = tf.tidy(f); o0.dataSync(); o0.dispose(); const ts: number[] = [];
  for (let i = 0; i < reps; i++) { const c = process.cpuUsage(); const o = tf.tidy(f); o.dataSync(); o.dispose(); const d = process.cpuUsage(c); ts.push((d.user + d.system) / 1000); }
  ts.sort((a, b) => a - b); return ts[Math.floor(reps / 2)].toFixed(1); };
const N = 32;
for (const [H, Ci, Co, s] of [[32, 3, 64, 1], [32, 64, 128, 2], [16, 128, 128, 1]] as const) {
  const x = tf.randomNormal([N, H, H, Ci]) as tf.Tensor4D; const w = tf.randomNormal([3, 3, Ci, Co]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s, 'same'); const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const fl = 2 * N * y.shape[1] * y.shape[2] * 9 * Ci * Co / 1e6;
  const f = cpuT(() => tf.conv2d(x, w, s, 'same'));
  const dW = cpuT(() => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy} as any, {strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape} as any) as tf.Tensor);
  const dX = cpuT(() => tf.conv2dTranspose(dy, w, x.shape, s, 'same'));
  console.log(`H${H} ${Ci}->${Co} s${s}: MFLOP ${fl.toFixed(0)} fwd ${f} dW ${dW} dX ${dX} ms(cpu)`);
}
const a = tf.randomNormal([160, 8192]); const b = tf.randomNormal([8192, 1024]); const dy = tf.randomNormal([160, 1024]);
console.log('mm fwd', cpuT(() => tf.matMul(a, b)), 'dW tA', cpuT(() => tf.matMul(a, dy, true, false)), 'dx tB', cpuT(() => tf.matMul(dy, b, false, true)));
console.log('transpose W', cpuT(() => tf.transpose(b)), 'transpose x', cpuT(() => tf.transpose(a)));
console.log('dx alt (bT first)', cpuT(() => tf.matMul(b, dy, false, true)));
const bT = tf.transpose(b); const aT = tf.transpose(a);
console.log('mm [8192,1024]x[1024,160]', cpuT(() => tf.matMul(b, tf.transpose(dy))), 'mm [8192,160]x[160,1024]', cpuT(() => tf.matMul(aT, dy)), 'mm [160,1024]x[1024,8192]', cpuT(() => tf.matMul(dy, bT)));
