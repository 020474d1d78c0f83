// Small, fast STDP-vs-random diagnostic (not part of the pipeline): trains a stack on N images,
// prints per-layer kernel diversity, weight norms, per-kernel firing rates, and the accuracy of
// the FC head on frozen features (train/test subsets), for STDP and random kernels side by side.
// usage: pnpm tsx packages/trainers-stdp/scripts/diag.ts [topology] [stdpImages] [json overrides]
import { initEngine } from '@snn/backend';
import { loadDataset, balancedSubset, takeIndices, type ImageSet } from '@snn/datasets';
import { getTopology, type TopologyName } from '@snn/models';
import { tf } from '../src/tf.js';
import { StdpStack, trainStackStdp, extractFeatures, stackOutShape } from '../src/stack.js';
import { stackSpecFromTopology } from '../src/topology.js';
import { makeHeadNet, trainHead, evaluateHead } from '../src/heads.js';

const topoName = (process.argv[2] ?? 'ResNet2') as TopologyName;
const nStdp = Number(process.argv[3] ?? 300);
const over = JSON.parse(process.argv[4] ?? '{}');
const T = Number(process.env.T ?? 15);
const nTr = Number(process.env.NTR ?? 1000);
const nTe = Number(process.env.NTE ?? 500);
const kinds = (process.env.KINDS ?? 'random,stdp').split(',');

const INPUT = process.env.INPUT ?? 'raw';
const GAIN = Number(process.env.GAIN ?? 0.5);
function gauss(s: number, r: number): number[] {
  const g: number[] = [];
  for (let i = -r; i <= r; i++) g.push(Math.exp(-(i * i) / (2 * s * s)));
  const z = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / z);
}
function onOff(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const r = 3,
      C = x.shape[3];
    const k = (s: number) => {
      const g = gauss(s, r);
      const k2: number[] = [];
      for (const a of g) for (const b of g) k2.push(a * b);
      return tf.tile(tf.reshape(tf.tensor1d(k2), [2 * r + 1, 2 * r + 1, 1, 1]), [1, 1, C, 1]) as tf.Tensor4D;
    };
    const d = tf.sub(
      tf.depthwiseConv2d(x, k(Number(process.env.S1 ?? 0.7)), 1, 'same'),
      tf.depthwiseConv2d(x, k(Number(process.env.S2 ?? 2)), 1, 'same'),
    );
    const sd = tf.add(tf.sqrt(tf.moments(d, [1, 2, 3], true).variance), 1e-3);
    const n = tf.mul(tf.div(d, sd), GAIN);
    return tf.concat([tf.clipByValue(n, 0, 1), tf.clipByValue(tf.neg(n), 0, 1)], 3) as tf.Tensor4D;
  });
}
function toX(s: ImageSet): tf.Tensor4D {
  const x = tf.tidy(
    () => tf.div(tf.tensor4d(s.images, [s.n, s.height, s.width, s.channels], 'int32'), 255) as tf.Tensor4D,
  );
  if (INPUT === 'raw') return x;
  const y = onOff(x);
  x.dispose();
  return y;
}

function kernelStats(stack: StdpStack): string[] {
  return stack.layers.map((l) =>
    tf.tidy(() => {
      const [k, , ci, co] = l.w.shape;
      const W = tf.reshape(l.w, [k * k * ci, co]);
      const norms = tf.norm(W, 2, 0);
      const Wn = tf.div(W, tf.add(norms, 1e-8));
      const cos = tf.matMul(Wn, Wn, true, false);
      const off = tf.sub(cos, tf.eye(co));
      const absCos = tf.div(tf.sum(tf.abs(off)), co * (co - 1)).dataSync()[0];
      const maxCos = tf.max(off).dataSync()[0];
      const n = norms.dataSync();
      const vth = l.vth.dataSync();
      const mean = tf.mean(l.w).dataSync()[0];
      const sat = tf.mean(tf.cast(tf.greater(tf.abs(l.w), 0.95), 'float32')).dataSync()[0];
      // energy fraction of each kernel in its per-channel spatial mean (pure colour, no edges)
      const dc = tf.div(tf.sum(tf.square(tf.mean(l.w, [0, 1])), 0), tf.div(tf.sum(tf.square(l.w), [0, 1, 2]), k * k));
      // and in the channel mean at each position (pure luminance pattern)
      const lum = tf.div(tf.sum(tf.square(tf.mean(l.w, 2)), [0, 1]), tf.div(tf.sum(tf.square(l.w), [0, 1, 2]), ci));
      const dcm = tf.mean(dc).dataSync()[0],
        lumm = tf.mean(lum).dataSync()[0];
      return `${l.id}: colourDC ${dcm.toFixed(2)} lum ${lumm.toFixed(2)} |cos| ${absCos.toFixed(3)} maxcos ${maxCos.toFixed(3)} norm ${Math.min(...n).toFixed(2)}..${Math.max(...n).toFixed(2)} mean ${mean.toFixed(3)} sat ${sat.toFixed(3)} vth ${Math.min(...vth).toFixed(2)}..${Math.max(...vth).toFixed(2)}`;
    }),
  );
}

async function main() {
  await initEngine({ quiet: true });
  const data = await loadDataset('cifar10');
  const firstHalf = process.env.VAL
    ? takeIndices(
        data.train,
        Array.from({ length: 25000 }, (_, i) => i),
      )
    : data.train;
  const tr = balancedSubset(firstHalf, nTr, 1);
  // VAL=1: evaluate on training images outside the head/STDP subsets (model selection without the test set)
  const te = process.env.VAL
    ? balancedSubset(
        takeIndices(
          data.train,
          Array.from({ length: 25000 }, (_, i) => 25000 + i),
        ),
        nTe,
        2,
      )
    : balancedSubset(data.test, nTe, 2);
  if (process.env.VAL) console.log('validation: train images 25000..49999');
  const st = balancedSubset(firstHalf, nStdp, 3);
  const topo = getTopology(topoName, { width: Number(process.env.WIDTH ?? 0.25) });
  const full = stackSpecFromTopology(topo);
  // LAYERS=L: keep the first L layers (the last one pools twice so the feature size is unchanged)
  const L = Number(process.env.LAYERS ?? full.layers.length);
  const spec = { ...full, layers: full.layers.slice(0, L).map((l) => ({ ...l })) };
  if (INPUT !== 'raw') {
    spec.layers[0].cin = 6;
    spec.input = [32, 32, 6];
  }
  if (L < full.layers.length && !spec.layers[L - 1].poolAfter) spec.layers[L - 1].poolAfter = true;
  const xtr = toX(tr),
    xte = toX(te),
    xst = toX(st);
  const ytr = tf.tensor1d(tr.labels, 'int32'),
    yte = tf.tensor1d(te.labels, 'int32');
  for (const kind of kinds) {
    const t0 = performance.now();
    const SEED = Number(process.env.SEED ?? 1);
    const stack = new StdpStack(spec, over, SEED);
    const init = stack.layers.map((l) => tf.clone(l.w));
    trainStackStdp(stack, xst, {
      T,
      batchSize: 32,
      epochs: Number(process.env.STDP_EP ?? 1),
      seed: 17 + SEED,
      learn: kind === 'stdp',
    });
    const tS = (performance.now() - t0) / 1000;
    for (const s of kernelStats(stack)) console.log(`  [${kind}] ${s}`);
    for (let i = 0; i < stack.layers.length; i++) {
      const c = tf.tidy(() => {
        const a = tf.reshape(stack.layers[i].w, [-1, stack.layers[i].cout]);
        const b = tf.reshape(init[i], [-1, stack.layers[i].cout]);
        return tf.mean(tf.div(tf.sum(tf.mul(a, b), 0), tf.mul(tf.norm(a, 2, 0), tf.norm(b, 2, 0)))).dataSync()[0];
      });
      console.log(`  [${kind}] ${stack.layers[i].id} cos(init) ${c.toFixed(3)}`);
    }
    tf.dispose(init);
    const t1 = performance.now();
    // per-layer, per-kernel rates at inference (features of each depth: truncate the stack)
    const fTr = extractFeatures(stack, xtr, { T, batchSize: 50, seed: 4 });
    const fTe = extractFeatures(stack, xte, { T, batchSize: 50, seed: 5 });
    const tF = (performance.now() - t1) / 1000;
    const shape = stackOutShape(spec);
    const [a, b] = tf.tidy(() => {
      const A = tf.reshape(fTr, [nTr, ...shape]);
      const B = tf.reshape(fTe, [nTe, ...shape]);
      const { mean, variance } = tf.moments(A, [0, 1, 2]);
      const sd = tf.add(tf.sqrt(variance), 1e-3);
      const kr = tf.mean(A, [0, 1, 2]).dataSync();
      const sorted = Array.from(kr).sort((x, y) => x - y);
      console.log(
        `  [${kind}] out rate/kernel min ${sorted[0].toFixed(3)} med ${sorted[sorted.length >> 1].toFixed(3)} max ${sorted[sorted.length - 1].toFixed(3)} dead ${sorted.filter((v) => v < 1e-3).length}`,
      );
      return [tf.div(tf.sub(A, mean), sd), tf.div(tf.sub(B, mean), sd)] as tf.Tensor4D[];
    });
    const net = makeHeadNet('fc', shape, 10, { hidden: 256, seed: 5 });
    const head = await trainHead(net, a, ytr, 10, {
      loss: 'softmax',
      epochs: Number(process.env.EP ?? 15),
      batchSize: 32,
      lr: 1e-3,
      seed: 1,
    });
    const acc = evaluateHead(net, head, b, yte, 100);
    const accTr = evaluateHead(net, head, a, ytr, 100);
    console.log(
      `${topoName} ${kind} N=${nStdp} ${JSON.stringify(over)}: test ${(100 * acc).toFixed(1)}% train ${(100 * accTr).toFixed(1)}%  (stdp ${tS.toFixed(1)}s feats ${tF.toFixed(1)}s)`,
    );
    for (const v of Object.values(head.variables)) v.dispose();
    net.dispose();
    tf.dispose([fTr, fTe, a, b]);
    stack.dispose();
  }
}
main();
