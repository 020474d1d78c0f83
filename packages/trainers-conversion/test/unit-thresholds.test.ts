import { describe, expect, it } from 'vitest';
import { lifForwardArrays } from '@snn/core-neurons';
import { thresholdsIncreaseInBlocks, unitSpikeThresholds, type BalancedThreshold } from '../src/thresholdBalance.js';

/** The IF op conversion runs (@snn/models simulateChunked): the core's array step, spikes of amplitude vth. */
function initState(n: number) {
  return { v: new Float32Array(n) };
}
function ifChunk(
  cur: Float32Array,
  repeated: boolean,
  tc: number,
  st: { v: Float32Array },
  p: { vth: number; channels: number; reset?: 'soft' | 'hard' },
  out: Float32Array,
): number {
  const n = st.v.length;
  const buf = new Float32Array((tc + 1) * n);
  const attrs = { T: tc, alpha: 1, vth: p.vth, soft: p.reset !== 'hard', refractory: 0, repeated, surrogate: '' };
  const count = lifForwardArrays(cur, st.v, buf, attrs, { amplitude: p.vth });
  out.set(buf.subarray(0, tc * n));
  st.v.set(buf.subarray(tc * n));
  return count;
}

const th = (op: string, param: string, vth: number): BalancedThreshold => ({ op, param, unrollStep: 1, vth });

describe("thresholds in the paper's unit-spike convention", () => {
  it('V_th,n = theta_n / theta_(n-1); the first op reads unit input spikes', () => {
    const u = unitSpikeThresholds([
      th('conv1', 'conv1', 2),
      th('conv2@1', 'conv2', 3),
      th('conv2@2', 'conv2', 6),
      th('fc1', 'fc1', 3),
    ]);
    expect(u.map((t) => t.vth)).toEqual([2, 1.5, 2, 0.5]);
    expect(u.map((t) => t.theta)).toEqual([2, 3, 6, 3]);
    // conv2's unrolled block: 1.5 < 2 -> increasing; the raw amplitudes (3 < 6) would say so too,
    // but a block whose amplitudes grow slower than they compound does not
    expect(thresholdsIncreaseInBlocks(u)).toBe(1);
    const falling = unitSpikeThresholds([
      th('conv1', 'conv1', 2),
      th('conv2@1', 'conv2', 4),
      th('conv2@2', 'conv2', 6),
    ]);
    expect(falling.map((t) => t.vth)).toEqual([2, 2, 1.5]);
    expect(thresholdsIncreaseInBlocks(falling)).toBe(0);
    expect(
      thresholdsIncreaseInBlocks([
        { param: 'a', vth: 1 },
        { param: 'b', vth: 2 },
      ]),
    ).toBeNull();
  });

  it('a unit-spike IF chain with those thresholds fires exactly as our amplitude-theta chain (scale invariance)', () => {
    const n = 64;
    const T = 40;
    let s = 12345;
    const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const input = Float32Array.from({ length: T * n }, () => (rnd() < 0.3 ? 1 : 0));
    const w = Float32Array.from({ length: n }, () => rnd() * 2 - 0.5); // layer 2: element-wise weights
    const theta1 = 2; // a power of two: the scaling is exact in float32
    const theta2 = 3;
    const [vUnit1, vUnit2] = unitSpikeThresholds([th('l1', 'l1', theta1), th('l2', 'l2', theta2)]).map((t) => t.vth);
    const run = (v1: number, v2: number) => {
      const s1 = new Float32Array(T * n);
      ifChunk(input, false, T, initState(n), { vth: v1, channels: n }, s1);
      const cur2 = s1.map((x, i) => x * w[i % n]!);
      const s2 = new Float32Array(T * n);
      ifChunk(cur2, false, T, initState(n), { vth: v2, channels: n }, s2);
      return { s1: s1.map((x) => (x > 0 ? 1 : 0)), s2: s2.map((x) => (x > 0 ? 1 : 0)) };
    };
    const amp = run(theta1, theta2);
    // the unit-spike net: layer 1 emits 1 instead of theta1 (divide its output), layer 2 threshold theta2/theta1
    const s1u = new Float32Array(T * n);
    ifChunk(input, false, T, initState(n), { vth: vUnit1!, channels: n }, s1u);
    const unitSpikes1 = s1u.map((x) => (x > 0 ? 1 : 0));
    const cur2u = unitSpikes1.map((x, i) => x * w[i % n]!);
    const s2u = new Float32Array(T * n);
    ifChunk(cur2u, false, T, initState(n), { vth: vUnit2!, channels: n }, s2u);
    expect(Array.from(unitSpikes1)).toEqual(Array.from(amp.s1));
    expect(Array.from(s2u.map((x) => (x > 0 ? 1 : 0)))).toEqual(Array.from(amp.s2));
    expect(amp.s2.reduce((a, b) => a + b, 0)).toBeGreaterThan(10); // layer 2 does fire
  });
});

describe('IF reset', () => {
  it('hard reset (Sengupta et al. 2019) sets v to zero on a spike; soft subtracts the threshold', () => {
    // one neuron, constant input 0.7, threshold 1: soft carries the residue, hard drops it
    const cur = Float32Array.from({ length: 6 }, () => 0.7);
    const run = (reset: 'soft' | 'hard') => {
      const st = initState(1);
      const out = new Float32Array(6);
      const n = ifChunk(cur, false, 6, st, { vth: 1, channels: 1, reset }, out);
      return { n, out: Array.from(out), v: st.v[0] };
    };
    const soft = run('soft');
    const hard = run('hard');
    // soft: v = .7, 1.4->.4 (spike), 1.1->.1 (spike), .8, 1.5->.5 (spike), 1.2->.2 (spike)
    expect(soft.out).toEqual([0, 1, 1, 0, 1, 1]);
    expect(soft.v).toBeCloseTo(0.2, 5);
    // hard: v = .7, 1.4->0 (spike), .7, 1.4->0 (spike), .7, 1.4->0 (spike): rate 1/2 instead of 2/3
    expect(hard.out).toEqual([0, 1, 0, 1, 0, 1]);
    expect(hard.v).toBe(0);
    expect(run('soft').n).toBe(4);
    expect(hard.n).toBe(3);
  });
});
