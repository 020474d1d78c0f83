import { describe, expect, it } from 'vitest';
import { accOf, all, atLeast, atMost, diff, lin, pm } from '../src/noise.js';

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
