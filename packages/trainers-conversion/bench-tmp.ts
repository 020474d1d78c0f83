import { initEngine, tf } from '@snn/backend';
import { getTopology, initParams } from '@snn/models';
import { fromTopology, thresholdsFromAnn, evaluateSnn } from './src/index.js';
await initEngine({ quiet: true });
for (const name of ['VGG7', 'VGG2x4', 'VGG3x2-v1'] as const) {
  const topo = getTopology(name, { width: 0.25 });
  const params = initParams(topo, 1);
  const net = fromTopology(topo, params);
  const x = tf.randomUniform([50, 32, 32, 3], 0, 1, 'float32', 1);
  const y = new Int32Array(50);
  const snn = thresholdsFromAnn(net, [x], { method: 'max', T: 1 });
  for (const coding of ['poisson', 'direct'] as const) {
    const c0 = process.cpuUsage(); const w0 = performance.now();
    evaluateSnn(net, snn, [{ x, y }], { tList: [32], coding, seed: 1, chunk: 16 });
    const c = process.cpuUsage(c0);
    console.log(name, coding, 'cpu ms per image-step', ((c.user + c.system) / 1000 / (50 * 32)).toFixed(3), 'wall', ((performance.now() - w0) / 1600).toFixed(3));
  }
}
