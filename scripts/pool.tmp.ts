import { tf, initEngine } from '../packages/backend/src/index.js';
await initEngine({quiet: true});
for (const [H, W, fs, st, pad] of [[9, 8, 2, 2, 'valid'], [8, 8, 2, 2, 'valid'], [9,8,3,2,'same'], [9,8,3,1,'same'], [8,8,3,2,'same']] as const) {
  const out: string[] = [];
  for (const [name, op] of [['avg', tf.avgPool], ['max', tf.maxPool]] as const) {
    const run = () => tf.tidy(() => { const x = tf.randomNormal([2, H, W, 3], 0, 1, 'float32', 31) as tf.Tensor4D;
      const r = tf.randomNormal(op(x, fs, st, pad).shape, 0, 1, 'float32', 32);
      return tf.grad((t: tf.Tensor4D) => tf.sum(tf.mul(op(t, fs, st, pad), r)))(x).dataSync(); });
    tf.setBackend('wasm'); const a = run(); tf.setBackend('cpu'); const b = run();
    let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    out.push(`${name} ${d.toExponential(1)}`);
  }
  console.log(H, W, fs, st, pad, out.join(' '));
}
