import { describe, expect, it } from 'vitest';
import {
  accOf,
  all,
  atLeast,
  atMost,
  binomCdf,
  clopperPearson,
  compare,
  diff,
  greaterThan,
  lessThan,
  lin,
  pairedDiff,
  pm,
} from '../src/noise.js';

describe('noise model of accuracies', () => {
  it('binomial standard error on n images, plus the spread of k seeds', () => {
    expect(accOf(40, 1000).se).toBeCloseTo(100 * Math.sqrt((0.4 * 0.6) / 1000), 12);
    expect(accOf(40, null).se).toBe(0);
    const s = accOf(40, 1000, 3, 3);
    expect(s.se).toBeCloseTo(Math.sqrt(0.24e4 / 1000 + 9 / 3), 12);
    expect(accOf(0, 500).se).toBe(0); // p = 0: no binomial spread
  });

  it('differences add variances; verdicts on the 95% interval', () => {
    const a = accOf(50, 500);
    const b = accOf(45, 500);
    const d = diff(a, b);
    expect(d.value).toBeCloseTo(5, 12);
    expect(d.se).toBeCloseTo(Math.hypot(a.se, b.se), 12);
    expect(
      lin([
        [1, a],
        [-0.5, b],
      ]).se,
    ).toBeCloseTo(Math.sqrt(a.se ** 2 + 0.25 * b.se ** 2), 12);
    // 5 +- 6.2 pts
    expect(atLeast(d, 0)).toBe('inconclusive');
    expect(atLeast(d, -2)).toBe('holds');
    expect(atLeast(d, 12)).toBe('does not hold');
    expect(atMost(d, 12)).toBe('holds');
    expect(all(['holds', 'inconclusive'])).toBe('inconclusive');
    expect(all(['holds', 'inconclusive', 'does not hold'])).toBe('does not hold');
    expect(all(['holds', 'holds'])).toBe('holds');
    expect(pm(d)).toMatch(/^\+5\.00 ± 6\.\d\d$/);
  });
});

describe('paired comparisons on the same test images', () => {
  it('exact binomial intervals (Clopper-Pearson) match closed forms', () => {
    const [lo0, hi0] = clopperPearson(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(1 - 0.025 ** (1 / 10), 6);
    const [lo, hi] = clopperPearson(5, 10);
    expect(lo).toBeCloseTo(0.187086, 5);
    expect(hi).toBeCloseTo(0.812914, 5);
    expect(binomCdf(3, 10, 0.5)).toBeCloseTo(176 / 1024, 12);
  });

  const rows = (n: number, rightA: (i: number) => boolean, rightB: (i: number) => boolean) => {
    const a = Array.from({ length: n }, (_, i) => (rightA(i) ? 1 : 0));
    const b = Array.from({ length: n }, (_, i) => (rightB(i) ? 1 : 0));
    return [a, b] as const;
  };

  it('McNemar: a difference made of few discordant images is decided where the unpaired interval cannot tell', () => {
    // a right on images 0..599; b agrees except 40 images only a gets right and 5 only b does
    const [a, b] = rows(
      1000,
      (i) => i < 600,
      (i) => (i < 600 && !(i >= 100 && i < 140)) || (i >= 600 && i < 605),
    );
    const d = pairedDiff(a, b);
    expect(d.value).toBeCloseTo(3.5, 12);
    expect(d.paired).toBe('mcnemar');
    expect(d.lo!).toBeGreaterThan(0);
    expect(greaterThan(d, 0)).toBe('holds');
    const unpaired = diff(accOf(60, 1000), accOf(56.5, 1000));
    expect(greaterThan(unpaired, 0)).toBe('inconclusive');
    expect(pm(d)).toMatch(/^\+3\.50 \[\+\d\.\d\d, \+\d\.\d\d\] paired$/);
  });

  it('McNemar: identical predictions differ by exactly 0 (no discordant image); one discordant image is not decisive', () => {
    const [a, b] = rows(
      1000,
      (i) => i % 3 === 0,
      (i) => i % 3 === 0,
    );
    const d = pairedDiff(a, b);
    expect([d.value, d.lo, d.hi]).toEqual([0, 0, 0]);
    expect(greaterThan(d, 0)).toBe('does not hold');
    expect(atLeast(d, -1)).toBe('holds');
    const one = pairedDiff(
      a,
      b.map((y, i) => (i === 1 ? 1 : y)),
    );
    expect(one.value).toBeCloseTo(-0.1, 12);
    // 1 discordant image (b's): pi's interval is [0, 0.975], so either sign is possible
    expect(greaterThan(one, 0)).toBe('inconclusive');
    expect(lessThan(one, 0)).toBe('inconclusive');
  });

  it('McNemar: the interval follows the exact binomial bounds of the discordant split', () => {
    // 30 discordant images, 20 for a: pi in Clopper-Pearson(20, 30), difference = (2 pi - 1) 30/1000
    const [a, b] = rows(
      1000,
      (i) => i < 500 || (i >= 900 && i < 920),
      (i) => i < 500 || (i >= 920 && i < 930),
    );
    const d = pairedDiff(a, b);
    const [lo, hi] = clopperPearson(20, 30);
    expect(d.value).toBeCloseTo(1, 12);
    expect(d.lo!).toBeCloseTo(100 * (2 * lo - 1) * 0.03, 9);
    expect(d.hi!).toBeCloseTo(100 * (2 * hi - 1) * 0.03, 9);
  });

  it('seed means: a paired bootstrap, the same interval on every run', () => {
    const a = Array.from({ length: 300 }, (_, i) => [0, 1 / 3, 2 / 3, 1][i % 4]);
    const b = a.map((y, i) => (i % 10 === 0 ? Math.max(0, y - 1 / 3) : y));
    const d1 = pairedDiff(a, b);
    const d2 = pairedDiff(a, b);
    expect(d1.paired).toBe('bootstrap');
    expect(d1).toEqual(d2);
    expect(d1.value).toBeGreaterThan(0);
    expect(d1.lo!).toBeLessThanOrEqual(d1.value);
    expect(d1.hi!).toBeGreaterThanOrEqual(d1.value);
  });

  it('compare pairs only rows that recorded the same images and reproduce their accuracies', () => {
    const [a, b] = rows(
      200,
      (i) => i < 120,
      (i) => i < 110,
    );
    const m = (y: readonly number[], off = 0) => new Map(y.map((v, i) => [i + off, v]));
    const ua = accOf(60, 200);
    const ub = accOf(55, 200);
    expect(compare(ua, ub, m(a), m(b)).paired).toBe('mcnemar');
    expect(compare(ua, ub, m(a), m(b, 1)).paired).toBeUndefined(); // other images: unpaired
    expect(compare(ua, ub, m(a), undefined).paired).toBeUndefined();
    expect(compare(accOf(61, 200), ub, m(a), m(b)).paired).toBeUndefined(); // not this row's predictions
    expect(compare(ua, ub, m(a), m(b)).value).toBeCloseTo(5, 12);
  });
});
