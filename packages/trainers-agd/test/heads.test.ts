import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@snn/backend';
import { softmaxHead, stochmaxHead, dropmaxLogProbs } from '../src/index.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

describe('stochmax (DropMax) head', () => {
  it('holds only its two variables (no initialiser tensors leak)', () => {
    const before = tf.memory().numTensors;
    const head = stochmaxHead(6, 5, 3);
    expect(tf.memory().numTensors - before).toBe(2);
    for (const v of Object.values(head.variables)) v.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('test-time probabilities sum to 1 and equal (rho + eps) exp(o) normalised', () => {
    const head = stochmaxHead(6, 5, 3);
    const h = tf.randomUniform([7, 6], 0, 1, 'float32', 1);
    const o = tf.randomNormal([7, 5], 0, 2, 'float32', 2);
    const lp = head.logProbs({ features: h, logits: o });
    const sums = tf.sum(tf.exp(lp), 1).arraySync() as number[];
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    // by hand: rho = sigmoid(h W + b)
    const rho = tf.sigmoid(tf.add(tf.matMul(h, head.variables.wRho), head.variables.bRho));
    const un = tf.mul(tf.add(rho, 1e-20), tf.exp(o));
    const p = tf.div(un, tf.sum(un, 1, true));
    const got = tf.exp(lp).arraySync() as number[][];
    const want = p.arraySync() as number[][];
    for (let i = 0; i < 7; i++) for (let k = 0; k < 5; k++) expect(got[i][k]).toBeCloseTo(want[i][k], 5);
    tf.dispose([h, o, lp, rho, un, p]);
  });

  it('a dropped class (z -> 0) gets no probability; the target is always kept', () => {
    const o = tf.tensor2d([[5, 1, 0]]);
    const logZ = tf.tensor2d([[-1e4, 0, 0]]); // class 0 dropped
    const p = tf.exp(dropmaxLogProbs(o, logZ, 1e-20)).arraySync() as number[][];
    expect(p[0][0]).toBeLessThan(1e-12);
    expect(p[0][1] + p[0][2]).toBeCloseTo(1, 6);
    tf.dispose([o, logZ]);
  });

  it('training loss is finite, seeded, and its gradient reaches W, W_rho and h', () => {
    const head = stochmaxHead(4, 3, 9);
    const h = tf.randomUniform([5, 4], 0, 1, 'float32', 4);
    const o = tf.randomNormal([5, 3], 0, 1, 'float32', 5);
    const y = tf.tensor1d([0, 1, 2, 1, 0], 'int32');
    const l1 = head.loss({ features: h, logits: o }, y, 11).dataSync()[0];
    const l2 = head.loss({ features: h, logits: o }, y, 11).dataSync()[0];
    const l3 = head.loss({ features: h, logits: o }, y, 12).dataSync()[0];
    expect(Number.isFinite(l1)).toBe(true);
    expect(l1).toBe(l2);
    expect(l1).not.toBe(l3);
    const g = tf.grads((hh: tf.Tensor, oo: tf.Tensor) => head.loss({ features: hh, logits: oo }, y, 11))([h, o]);
    expect(tf.sum(tf.abs(g[0])).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.sum(tf.abs(g[1])).dataSync()[0]).toBeGreaterThan(0);
    const gv = tf.variableGrads(() => head.loss({ features: h, logits: o }, y, 11), [head.variables.wRho]);
    expect(tf.sum(tf.abs(gv.grads[head.variables.wRho.name])).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([h, o, y, ...g, gv.value, ...Object.values(gv.grads)]);
  });

  it('softmax head: cross-entropy equals -log softmax of the target', () => {
    const head = softmaxHead();
    const o = tf.tensor2d([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const y = tf.tensor1d([2, 0], 'int32');
    const l = head.loss({ features: o, logits: o }, y, 0).dataSync()[0];
    const want = (-Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3))) + Math.log(3)) / 2;
    expect(l).toBeCloseTo(want, 5);
  });
});
