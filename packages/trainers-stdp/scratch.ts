import { initEngine } from '@snn/backend';
import { loadDataset } from '@snn/datasets';
import { runStdpRow } from './src/rows.js';
const eng = await initEngine({ quiet: true });
console.log(eng);
const data = await loadDataset('cifar10');
const base = { topology: (process.env.TOPO ?? 'ResNet2') as 'ResNet2', classifier: 'softmax' as const, T: Number(process.env.T ?? 20), seed: 0, width: 0.25,
  stdpImages: Number(process.env.NS ?? 500), stdpEpochs: 1, trainImages: Number(process.env.NTR ?? 2000), testImages: 500, headEpochs: 15, annEpochs: 4, batchSize: 32, lr: 0.001 };
for (const method of (process.env.METHODS ?? 'stdp,random-kernels').split(',') as ('stdp' | 'random-kernels' | 'ann')[]) {
  const t0 = Date.now();
  const r = await runStdpRow({ ...base, method }, data, { log: (m) => console.log(m) });
  console.log(method, JSON.stringify(r.metrics.filter(m => ['accuracy','ee','ee_conv'].includes(m.metric))), ((Date.now() - t0) / 1000).toFixed(1), 's');
}
