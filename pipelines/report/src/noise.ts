/**
 * Verdicts with noise. An accuracy measured on n test images has a binomial standard error
 * sqrt(p(1-p)/n); a row that averages k seeds adds the seeds' spread sd/sqrt(k). A comparison of
 * accuracies (a difference, or any linear combination) is judged on its 95% interval:
 *   holds          the whole interval satisfies the claim's inequality,
 *   does not hold  the whole interval violates it,
 *   inconclusive   the interval straddles the bound: the data cannot tell at this budget.
 * Rows of one stage are scored on the same test images, so the unpaired error used here is
 * conservative (paired predictions would give a tighter interval): a claim read as inconclusive
 * may be decidable with paired data, never the other way round. Quantities without a noise model
 * (EE, energy, spike counts) are compared as measured.
 */
import type { ClaimOutcome } from './claims.js';

/** z of a two-sided 95% interval */
export const Z95 = 1.959964;

/** A measured value (accuracy in points) with its standard error (points); se 0 = exact. */
export interface Noisy {
  value: number;
  se: number;
}
export interface Acc extends Noisy {
  n: number | null;
  seeds: number;
}

/** An accuracy (percent) on n test images, optionally the mean of `seeds` runs with sample sd `sd` (points). */
export function accOf(value: number, n: number | null, sd: number | null = null, seeds: number | null = null): Acc {
  const p = Math.min(1, Math.max(0, value / 100));
  const k = seeds && seeds > 1 ? seeds : 1;
  const binom = n && n > 0 ? (100 * 100 * p * (1 - p)) / n : 0;
  const spread = sd !== null && k > 1 ? (sd * sd) / k : 0;
  return { value, se: Math.sqrt(binom + spread), n, seeds: k };
}

/** Σ c_i x_i, errors added in quadrature (independent terms). */
export function lin(terms: ReadonlyArray<readonly [number, Noisy]>): Noisy {
  return {
    value: terms.reduce((a, [c, x]) => a + c * x.value, 0),
    se: Math.sqrt(terms.reduce((a, [c, x]) => a + c * c * x.se * x.se, 0)),
  };
}

export const diff = (a: Noisy, b: Noisy): Noisy =>
  lin([
    [1, a],
    [-1, b],
  ]);

export type Tri = 'holds' | 'does not hold' | 'inconclusive';

/** x >= m, judged on x's 95% interval */
export function atLeast(x: Noisy, m: number): Tri {
  if (x.value - Z95 * x.se >= m) return 'holds';
  if (x.value + Z95 * x.se < m) return 'does not hold';
  return 'inconclusive';
}

/** x <= m, judged on x's 95% interval */
export function atMost(x: Noisy, m: number): Tri {
  return atLeast({ value: -x.value, se: x.se }, -m);
}

/** x > m, judged on x's 95% interval */
export function greaterThan(x: Noisy, m: number): Tri {
  if (x.value - Z95 * x.se > m) return 'holds';
  if (x.value + Z95 * x.se <= m) return 'does not hold';
  return 'inconclusive';
}

/** x < m, judged on x's 95% interval */
export function lessThan(x: Noisy, m: number): Tri {
  return greaterThan({ value: -x.value, se: x.se }, -m);
}

/** a measured comparison without a noise model */
export const exact = (ok: boolean): Tri => (ok ? 'holds' : 'does not hold');

/** all conditions: fails if any fails, holds if all hold, else inconclusive */
export function all(ts: readonly Tri[]): Tri {
  if (ts.includes('does not hold')) return 'does not hold';
  return ts.every((t) => t === 'holds') ? 'holds' : 'inconclusive';
}

/** '+1.23 ± 2.10' (the 95% half-width), or the plain value when exact */
export function pm(x: Noisy, d = 2): string {
  const v = `${x.value >= 0 ? '+' : ''}${x.value.toFixed(d)}`;
  return x.se > 0 ? `${v} ± ${(Z95 * x.se).toFixed(d)}` : v;
}

/** 'VGG5 -1.20 ± 2.90 pts, ...': labelled differences with their 95% half-widths */
export const pts = (d: ReadonlyArray<readonly [string, Noisy]>): string =>
  d.map(([k, x]) => `${k} ${pm(x)} pts`).join(', ');

/** '33.70 ± 2.93% (n=1000)' */
export function accText(a: Acc, d = 2): string {
  const half = a.se > 0 ? ` ± ${(Z95 * a.se).toFixed(d)}` : '';
  const n = a.n ? ` (n=${a.n}${a.seeds > 1 ? `, ${a.seeds} seeds` : ''})` : ' (n unknown)';
  return `${a.value.toFixed(d)}${half}%${n}`;
}

export const outcome = (t: Tri, detail: string): ClaimOutcome => ({ status: t, detail });
