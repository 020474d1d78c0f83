import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@snn/backend';
import { softmaxHead, stochmaxHead, dropmaxLogProbs } from '../src/index.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

describe('stochmax (DropMax) head', () => {
  it('holds only its variables (no initialiser tensors leak): four for DropMax, two for the simple form', () => {
    for (const [objective, n] of [
      ['dropmax', 4],
      ['simple', 2],
    ] as const) {
      const before = tf.memory().numTensors;
      const head = stochmaxHead(6, 5, 3, { objective });
      expect(tf.memory().numTensors - before).toBe(n);
      for (const v of Object.values(head.variables)) v.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it("DropMax's training loss equals Lee et al.'s objective computed by hand (cross-entropy + KL + aux + negative entropy)", () => {
    const F = 3;
    const C = 4;
    const head = stochmaxHead(F, C, 5);
    const h = tf.randomUniform([2, F], 0, 1, 'float32', 6);
    const o = tf.randomNormal([2, C], 0, 1, 'float32', 7);
    const y = [1, 3];
    const got = head.loss({ features: h, logits: o }, tf.tensor1d(y, 'int32'), 21).dataSync()[0];
    // the same u the head draws (seed 21, shape [B, C], (1e-6, 1 - 1e-6))
    const u = tf.randomUniform([2, C], 1e-6, 1 - 1e-6, 'float32', 21).arraySync() as number[][];
    const aff = (w: tf.Variable, b: tf.Variable) => tf.add(tf.matMul(h, w), b).arraySync() as number[][];
    const s = aff(head.variables.wRho, head.variables.bRho);
    const a = aff(head.variables.wR, head.variables.bR);
    const O = o.arraySync() as number[][];
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    let total = 0;
    for (let b = 0; b < 2; b++) {
      const z = s[b].map((sk, k) => (k === y[b] ? 1 : sig((sk + a[b][k] + Math.log(u[b][k] / (1 - u[b][k]))) / 0.1)));
      const un = O[b].map((ok, k) => (z[k] + 1e-20) * Math.exp(ok));
      let loss = -Math.log(un[y[b]] / un.reduce((p, q) => p + q, 0));
      for (let k = 0; k < C; k++) {
        const rho = sig(s[b][k]);
        const q = sig(s[b][k] + a[b][k]);
        const r = sig(a[b][k]);
        if (k === y[b]) loss += -Math.log(rho) - Math.log(r);
        else loss += q * Math.log(q / rho) + (1 - q) * Math.log((1 - q) / (1 - rho)) - Math.log(1 - r);
        loss += rho * Math.log(rho) + (1 - rho) * Math.log(1 - rho);
      }
      total += loss / 2;
    }
    expect(got).toBeCloseTo(total, 4);
    tf.dispose([h, o]);
  });

  it('DropMax pulls a non-target retain probability towards q (up as well as down); the simple form only pushes it down', () => {
    // h = 0: rho_k = sigmoid(b_rho), q_k = sigmoid(b_rho + b_r); rho small, q large for every class
    const grad = (objective: 'dropmax' | 'simple') => {
      const head = stochmaxHead(2, 3, 1, { objective });
      head.variables.bRho.assign(tf.fill([3], -3));
      if (objective === 'dropmax') head.variables.bR.assign(tf.fill([3], 6));
      const h = tf.zeros([4, 2]);
      const o = tf.zeros([4, 3]);
      const y = tf.tensor1d([0, 0, 0, 0], 'int32');
      const g = tf.variableGrads(() => head.loss({ features: h, logits: o }, y, 3), [head.variables.bRho]);
      const d = g.grads[head.variables.bRho.name].arraySync() as number[];
      tf.dispose([h, o, y, g.value, ...Object.values(g.grads), ...Object.values(head.variables)]);
      return d;
    };
    const full = grad('dropmax');
    const simple = grad('simple');
    // descent moves b_rho by -grad: DropMax raises the non-targets' rho towards q, the simple form lowers it
    expect(full[1]).toBeLessThan(0);
    expect(full[2]).toBeLessThan(0);
    expect(simple[1]).toBeGreaterThan(0);
    expect(simple[2]).toBeGreaterThan(0);
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

  it('training loss is finite, seeded, and its gradient reaches W, W_rho, W_r and h', () => {
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
    const gv = tf.variableGrads(
      () => head.loss({ features: h, logits: o }, y, 11),
      [head.variables.wRho, head.variables.wR],
    );
    expect(tf.sum(tf.abs(gv.grads[head.variables.wRho.name])).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.sum(tf.abs(gv.grads[head.variables.wR.name])).dataSync()[0]).toBeGreaterThan(0);
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
