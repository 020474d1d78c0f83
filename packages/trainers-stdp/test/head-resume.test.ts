// STDP's classifier heads train on @snn/training's epoch loop: per-epoch checkpoints, and a run
// resumed after a kill ends bit-identical to an uninterrupted one (variables, accuracy, predictions).
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '@snn/backend';
import { tf } from '../src/tf.js';
import { makeHeadNet, trainHead, evaluateHead, type HeadArch } from '../src/heads.js';
import { runStdpRow, clearStdpMemo, headCheckpointDir } from '../src/rows.js';
import { learnableImages } from './fixtures.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

const CLASSES = 5;
const SHAPE: [number, number, number] = [4, 4, 3];

/** learnable features [n, 4, 4, 3]: noise plus a class-dependent offset in one channel */
function features(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return tf.tidy(() => {
    const labels = Int32Array.from({ length: n }, (_, i) => i % CLASSES);
    const y = tf.tensor1d(labels, 'int32');
    const shift = tf.reshape(
      tf.mul(
        tf.oneHot(
          tf.tensor1d(
            labels.map((l) => l % 3),
            'int32',
          ),
          3,
        ),
        tf.reshape(tf.add(tf.cast(y, 'float32'), 1), [n, 1]),
      ),
      [n, 1, 1, 3],
    );
    const x = tf.add(tf.randomNormal([n, ...SHAPE], 0, 1, 'float32', seed), shift) as tf.Tensor4D;
    return { x, y };
  });
}

/** the bytes of a float32 array: bit-for-bit comparison (NaN and -0 included) */
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

interface Run {
  acc: number;
  correct: Uint8Array;
  vars: Float32Array[];
  logs: string[];
}

async function run(
  data: { xtr: tf.Tensor4D; ytr: tf.Tensor1D; xte: tf.Tensor4D; yte: tf.Tensor1D },
  o: { arch: HeadArch; loss: 'softmax' | 'stochmax'; epochs: number; seed: number; checkpoint?: string },
): Promise<Run> {
  const logs: string[] = [];
  const net = makeHeadNet(o.arch, SHAPE, CLASSES, { hidden: 16, seed: 5 });
  const head = await trainHead(net, data.xtr, data.ytr, CLASSES, {
    loss: o.loss,
    epochs: o.epochs,
    batchSize: 7,
    lr: 3e-3,
    seed: o.seed,
    checkpoint: o.checkpoint,
    log: (m) => logs.push(m),
  });
  const correct = new Uint8Array(data.xte.shape[0]);
  const acc = evaluateHead(net, head, data.xte, data.yte, 10, undefined, correct);
  const headVars = Object.keys(head.variables)
    .sort()
    .map((k) => head.variables[k]);
  const vars = [...net.vars, ...headVars].map((v) => v.dataSync() as Float32Array);
  tf.dispose(headVars);
  net.dispose();
  return { acc, correct, vars, logs };
}

describe('STDP head training: per-epoch checkpoints and resume', () => {
  for (const [arch, loss] of [
    ['fc', 'stochmax'],
    ['convnn', 'softmax'],
  ] as const) {
    it(`${arch}/${loss}: k epochs into a checkpoint, then resumed to N, is bit-identical to N in one go`, async () => {
      const tr = features(40, 1);
      const te = features(20, 2);
      const data = { xtr: tr.x, ytr: tr.y, xte: te.x, yte: te.y };
      const before = tf.memory().numTensors;
      const N = 4;
      const full = await run(data, { arch, loss, epochs: N, seed: 3 });
      expect(full.logs.some((l) => l.includes('resumed'))).toBe(false);
      expect(full.logs.filter((l) => /epoch \d+\/4/.test(l)).length).toBe(N);

      const dir = join(mkdtempSync(join(tmpdir(), 'stdp-head-ck-')), 'head');
      // the "killed" run: 2 of the N epochs, checkpointed
      const part = await run(data, { arch, loss, epochs: 2, seed: 3, checkpoint: dir });
      expect(part.logs.some((l) => l.includes('resumed'))).toBe(false);
      expect(existsSync(join(dir, 'checkpoint.json'))).toBe(true);
      expect(readdirSync(dir).filter((f) => f.endsWith('.bin'))).toEqual(['weights-e2.bin']);
      // the rerun: N epochs from the same folder resumes after epoch 2
      const resumed = await run(data, { arch, loss, epochs: N, seed: 3, checkpoint: dir });
      expect(resumed.logs.some((l) => l.includes('resumed from checkpoint after epoch 2'))).toBe(true);
      expect(resumed.logs.filter((l) => /epoch \d+\/4/.test(l)).map((l) => l.match(/epoch (\d+)\/4/)![1])).toEqual([
        '3',
        '4',
      ]);
      expect(resumed.acc).toBe(full.acc);
      expect(Array.from(resumed.correct)).toEqual(Array.from(full.correct));
      expect(resumed.vars.length).toBe(full.vars.length);
      resumed.vars.forEach((v, i) => expect(bits(v).equals(bits(full.vars[i]))).toBe(true));
      // a checkpointed run without interruption gets the uninterrupted numbers too
      const dir2 = join(mkdtempSync(join(tmpdir(), 'stdp-head-ck-')), 'head');
      const once = await run(data, { arch, loss, epochs: N, seed: 3, checkpoint: dir2 });
      expect(once.acc).toBe(full.acc);
      expect(Array.from(once.correct)).toEqual(Array.from(full.correct));
      once.vars.forEach((v, i) => expect(bits(v).equals(bits(full.vars[i]))).toBe(true));
      // nothing leaks (the loop disposes the loaded tensors, trainHead its optimiser)
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([tr.x, tr.y, te.x, te.y]);
    }, 60000);
  }

  it('a checkpoint of another configuration is not resumed from; each seed and head of a row has its own folder', async () => {
    const tr = features(40, 1);
    const te = features(20, 2);
    const data = { xtr: tr.x, ytr: tr.y, xte: te.x, yte: te.y };
    const dir = join(mkdtempSync(join(tmpdir(), 'stdp-head-ck-')), 'head');
    await run(data, { arch: 'fc', loss: 'softmax', epochs: 2, seed: 3, checkpoint: dir });
    // another seed (or loss, lr, batch size, shapes) in the same folder: ignored, trained from scratch
    const other = await run(data, { arch: 'fc', loss: 'softmax', epochs: 3, seed: 4, checkpoint: dir });
    expect(other.logs.some((l) => l.includes('resumed'))).toBe(false);
    expect(other.logs.some((l) => l.includes('another configuration'))).toBe(true);
    expect(other.logs.filter((l) => /epoch \d+\/3/.test(l)).length).toBe(3);
    const fresh = await run(data, { arch: 'fc', loss: 'softmax', epochs: 3, seed: 4 });
    expect(other.acc).toBe(fresh.acc);
    other.vars.forEach((v, i) => expect(bits(v).equals(bits(fresh.vars[i]))).toBe(true));
    const stoch = await run(data, { arch: 'fc', loss: 'stochmax', epochs: 1, seed: 4, checkpoint: dir });
    expect(stoch.logs.some((l) => l.includes('another configuration'))).toBe(true);
    tf.dispose([tr.x, tr.y, te.x, te.y]);
    // the row's folders: one per seed and head, never shared
    const row = '/ck/row';
    const folders = [
      headCheckpointDir(row, 0, 'stdp', 'softmax'),
      headCheckpointDir(row, 1, 'stdp', 'softmax'),
      headCheckpointDir(row, 0, 'stdp', 'convnn'),
      headCheckpointDir(row, 0, 'ann', 'softmax'),
    ];
    expect(new Set(folders).size).toBe(folders.length);
    for (const f of folders) expect(f.startsWith(`${row}/seed-`)).toBe(true);
  }, 60000);

  it('runStdpRow with a checkpointDir: per-seed head folders; a rerun resumes them and gets the same numbers', async () => {
    const data = { train: learnableImages(20, 1), test: learnableImages(10, 2) };
    const row = {
      topology: 'ResNet2' as const,
      method: 'ann' as const,
      classifier: 'softmax' as const,
      T: 4,
      seed: 0,
      seeds: 2,
      width: 0.0625,
      stdpImages: 10,
      stdpEpochs: 1,
      trainImages: 20,
      testImages: 10,
      headEpochs: 1,
      annEpochs: 2,
      batchSize: 10,
      lr: 3e-3,
    };
    const plain = await runStdpRow(row, data);
    const dir = mkdtempSync(join(tmpdir(), 'stdp-row-ck-'));
    const go = async () => {
      const logs: string[] = [];
      const r = await runStdpRow(row, data, { checkpointDir: dir, log: (m) => logs.push(m) });
      return { r, logs };
    };
    const a = await go();
    expect(readdirSync(dir).sort()).toEqual(['seed-0', 'seed-1']);
    expect(readdirSync(join(dir, 'seed-0'))).toEqual(['head-ann-softmax']);
    expect(a.logs.some((l) => l.includes('resumed'))).toBe(false);
    const b = await go();
    expect(b.logs.filter((l) => l.includes('resumed from checkpoint after epoch 2')).length).toBe(2);
    for (const r of [a.r, b.r]) {
      expect(r.metrics).toEqual(plain.metrics);
      expect(r.series).toEqual(plain.series);
    }
    clearStdpMemo();
  }, 60000);
});
