import { describe, expect, it } from 'vitest';
import { makeRng, deriveSeed } from '../src/index.js';

describe('makeRng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = makeRng(42);
    const b = makeRng(42);
    const c = makeRng(43);
    const xa = Array.from({ length: 100 }, () => a.next());
    const xb = Array.from({ length: 100 }, () => b.next());
    const xc = Array.from({ length: 100 }, () => c.next());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    for (const v of xa) expect(v >= 0 && v < 1).toBe(true);
  });

  it('has plausible moments for next, int and normal', () => {
    const r = makeRng(1);
    const n = 20000;
    let s = 0;
    let s2 = 0;
    const counts = new Array(10).fill(0) as number[];
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      counts[r.int(10)]++;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
    for (const cnt of counts) expect(Math.abs(cnt - n / 10)).toBeLessThan(200);
    let u = 0;
    for (let i = 0; i < n; i++) u += r.next();
    expect(Math.abs(u / n - 0.5)).toBeLessThan(0.01);
    expect(() => r.int(0)).toThrow();
  });

  it('shuffles in place into a seed-determined permutation', () => {
    const a = makeRng(5).shuffle(Array.from({ length: 50 }, (_, i) => i));
    const b = makeRng(5).shuffle(Array.from({ length: 50 }, (_, i) => i));
    expect(a).toEqual(b);
    expect(a.slice().sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('deriveSeed', () => {
  it('is a stable 32-bit hash of (seed, labels)', () => {
    const s = deriveSeed(1, 'init', 'conv1');
    expect(s).toBe(deriveSeed(1, 'init', 'conv1'));
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    // pinned: a change to the hash would silently change every derived experiment seed
    expect(deriveSeed(1, 'init', 'conv1')).toBe(1433010029);
  });

  it('separates seeds, label order, types and concatenations', () => {
    const seen = new Set([
      deriveSeed(1, 'a', 'b'),
      deriveSeed(1, 'b', 'a'),
      deriveSeed(2, 'a', 'b'),
      deriveSeed(1, 'ab'),
      deriveSeed(1, 'a', 1),
      deriveSeed(1, 'a', '1'),
      deriveSeed(1, 'a1'),
      deriveSeed(1),
    ]);
    expect(seen.size).toBe(8);
  });
});
