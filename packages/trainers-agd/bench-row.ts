import { initEngine, tf } from '@snn/backend';
import { getTopology, type TopologyName } from '@snn/models';
import { loadDataset, balancedSubset, batches } from '@snn/datasets';
import { AgdTrainer, ensureGradients, type AgdMode } from './src/index.js';
const info = await initEngine({ quiet: true });
await ensureGradients();
const { train } = await loadDataset('cifar10');
const sub = balancedSubset(train, 96, 1);
const cases: Array<[TopologyName, AgdMode, number, number]> = JSON.parse(process.argv[2]);
for (const [name, mode, T, width] of cases) {
  const topo = getTopology(name, { width });
  const tr = new AgdTrainer(topo, { mode, T, head: 'softmax', neuron: { alpha: 0.97, vth: 1, surrogate: { name: 'pwl' } }, optimizer: { name: 'adam', lr: 1e-3 }, epochs: 1, batchSize: 32, seed: 1 });
  let i = 0; let cpu0 = 0; let wall0 = 0;
  for (const b of batches(sub, { batchSize: 32, seed: 1 })) {
    if (i === 1) { cpu0 = process.cpuUsage().user + process.cpuUsage().system; wall0 = performance.now(); }
    tr.trainBatch(b.x, b.y, i); tf.dispose([b.x, b.y]); i++;
  }
  const cpu = (process.cpuUsage().user + process.cpuUsage().system - cpu0) / 1e6; const wall = (performance.now() - wall0) / 1000;
  console.log(JSON.stringify({ engine: info.name, name, mode, T, width, imgPerCpuSec: +(64 / cpu).toFixed(2), imgPerWallSec: +(64 / wall).toFixed(2) }));
  tr.dispose();
}
