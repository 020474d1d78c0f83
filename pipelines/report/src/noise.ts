/**
 * Verdicts with noise. An accuracy measured on n test images has a binomial standard error
 * sqrt(p(1-p)/n); a row that averages k seeds adds the seeds' spread sd/sqrt(k). A comparison of
 * accuracies (a difference, or any linear combination) is judged on its 95% interval:
 *   holds          the whole interval satisfies the claim's inequality,
 *   does not hold  the whole interval violates it,
 *   inconclusive   the interval straddles the bound: the data cannot tell at this budget.
 * Two rows scored on the same test images that both recorded each image's correctness (the
 * 'correct' series) are compared PAIRED (`pairedDiff`: exact McNemar-type interval, or a paired
 * bootstrap for seed means), which removes the images' shared difficulty from the noise; other
 * comparisons use the unpaired binomial error above, which is conservative. Quantities without a
 * noise model (EE, energy, spike counts) are compared as measured.
 */
import type { SeriesRecord } from '@snn/reporting';
import type { ClaimOutcome } from './claims.js';

/** z of a two-sided 95% interval */
export const Z95 = 1.959964;

/**
 * A measured value (accuracy in points) with its standard error (points); se 0 = exact. A paired
 * comparison carries its own 95% interval [lo, hi] instead (exact, not symmetric), which the
 * verdicts use in place of value ± z·se.
 */
export interface Noisy {
  value: number;
  se: number;
  lo?: number;
  hi?: number;
  /** how the interval was made, when not from se: 'mcnemar' (exact, 0/1 predictions) or 'bootstrap' (seed means) */
  paired?: 'mcnemar' | 'bootstrap';
  /** test images the paired comparison used */
  pairs?: number;
}

/** The 95% interval of x: its own (paired comparisons) or value ± z·se. */
export function interval(x: Noisy): [number, number] {
  if (x.lo !== undefined && x.hi !== undefined) return [x.lo, x.hi];
  return [x.value - Z95 * x.se, x.value + Z95 * x.se];
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

/** -x, interval mirrored */
function neg(x: Noisy): Noisy {
  const [lo, hi] = interval(x);
  return { value: -x.value, se: x.se, lo: -hi, hi: -lo };
}

/** x >= m, judged on x's 95% interval */
export function atLeast(x: Noisy, m: number): Tri {
  const [lo, hi] = interval(x);
  if (lo >= m) return 'holds';
  if (hi < m) return 'does not hold';
  return 'inconclusive';
}

/** x <= m, judged on x's 95% interval */
export function atMost(x: Noisy, m: number): Tri {
  return atLeast(neg(x), -m);
}

/** x > m, judged on x's 95% interval */
export function greaterThan(x: Noisy, m: number): Tri {
  const [lo, hi] = interval(x);
  if (lo > m) return 'holds';
  if (hi <= m) return 'does not hold';
  return 'inconclusive';
}

/** x < m, judged on x's 95% interval */
export function lessThan(x: Noisy, m: number): Tri {
  return greaterThan(neg(x), -m);
}

// ---- paired comparisons on the same test images ----

/** ln Γ (Lanczos, g = 7), for binomial probabilities */
function lnGamma(z: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  z -= 1;
  let x = c[0];
  for (let i = 1; i < 9; i++) x += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}

/** P(X <= k), X ~ Binomial(n, p), summed exactly in log space */
export function binomCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const lnC = lnGamma(n + 1);
  let s = 0;
  for (let i = 0; i <= k; i++)
    s += Math.exp(lnC - lnGamma(i + 1) - lnGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, s);
}

/** Exact (Clopper-Pearson) two-sided interval of a binomial proportion, k of n, level 1 - a (bisection). */
export function clopperPearson(k: number, n: number, a = 0.05): [number, number] {
  if (n === 0) return [0, 1];
  const solve = (f: (p: number) => number): number => {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) > 0) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  // lower: P(X >= k | p) = a/2; upper: P(X <= k | p) = a/2 (both monotone in p)
  const lower = k === 0 ? 0 : solve((p) => a / 2 - (1 - binomCdf(k - 1, n, p)));
  const upper = k === n ? 1 : solve((p) => binomCdf(k, n, p) - a / 2);
  return [lower, upper];
}

/** mulberry32: the bootstrap's seeded generator (same data, same interval) */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * accuracy(a) - accuracy(b) in points, judged on the same test images. `a[i]`, `b[i]` are image i's
 * correctness: 0/1 for one run, or the fraction of seeds right for a row that averages seeds.
 *   0/1 (McNemar): with n10 images only a gets right and n01 only b, the difference is
 *   (n10 - n01)/n = (2π - 1) N/n with N = n10 + n01 discordant images and π = n10/N. Conditional
 *   on N, as McNemar's exact test, n10 ~ Binomial(N, π): the exact (Clopper-Pearson) 95% interval
 *   of π gives the interval of the difference. The images both rows get right or wrong carry no
 *   information about which is better, so the interval is much tighter than the unpaired one when
 *   the rows agree on most images; with no discordant image the difference is exactly 0.
 *   seed means: a paired bootstrap over images (2,000 resamples, seeded), percentile interval.
 */
export function pairedDiff(a: ArrayLike<number>, b: ArrayLike<number>): Noisy {
  const n = a.length;
  if (n !== b.length || n === 0) throw new Error(`pairedDiff: ${n} vs ${b.length} images`);
  let binary = true;
  let sum = 0;
  let n10 = 0;
  let n01 = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    sum += d;
    if ((a[i] !== 0 && a[i] !== 1) || (b[i] !== 0 && b[i] !== 1)) binary = false;
    else if (d > 0) n10++;
    else if (d < 0) n01++;
  }
  const value = (100 * sum) / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (a[i] - b[i] - sum / n) ** 2;
  const se = (100 * Math.sqrt(sq / Math.max(1, n - 1))) / Math.sqrt(n);
  if (binary) {
    const N = n10 + n01;
    if (N === 0) return { value, se, lo: 0, hi: 0, paired: 'mcnemar', pairs: n };
    const [pLo, pHi] = clopperPearson(n10, N);
    const at = (pi: number): number => (100 * (2 * pi - 1) * N) / n;
    return { value, se, lo: at(pLo), hi: at(pHi), paired: 'mcnemar', pairs: n };
  }
  const next = rng(0x5eed ^ n);
  const R = 2000;
  const means = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const j = Math.floor(next() * n);
      s += a[j] - b[j];
    }
    means[r] = (100 * s) / n;
  }
  means.sort();
  return {
    value,
    se,
    lo: means[Math.floor(0.025 * R)],
    hi: means[Math.ceil(0.975 * R) - 1],
    paired: 'bootstrap',
    pairs: n,
  };
}

/** a measured comparison without a noise model */
export const exact = (ok: boolean): Tri => (ok ? 'holds' : 'does not hold');

/** all conditions: fails if any fails, holds if all hold, else inconclusive */
export function all(ts: readonly Tri[]): Tri {
  if (ts.includes('does not hold')) return 'does not hold';
  return ts.every((t) => t === 'holds') ? 'holds' : 'inconclusive';
}

const signed = (v: number, d: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(d)}`;

/** '+1.23 ± 2.10' (the 95% half-width), '+1.23 [-0.40, +2.90] paired' (a paired interval), or the plain value when exact */
export function pm(x: Noisy, d = 2): string {
  const v = signed(x.value, d);
  if (x.paired) return `${v} [${signed(x.lo!, d)}, ${signed(x.hi!, d)}] paired`;
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

/** Per-image correctness by row ('table/rowId/configHash' -> image index -> y), from the rows' 'correct' series. */
export function correctByRow(series: readonly SeriesRecord[], profile: string): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const c of series) {
    if (c.profile !== profile || c.series !== 'correct') continue;
    const k = `${c.table}/${c.rowId}/${c.configHash}`;
    if (!out.has(k)) out.set(k, new Map());
    out.get(k)!.set(c.x, c.y);
  }
  return out;
}

/**
 * accuracy(a) - accuracy(b) in points: paired (`pairedDiff`) when both rows recorded each test
 * image's correctness on the same images and those reproduce the rows' accuracies; otherwise the
 * unpaired difference of the two accuracies.
 */
export function compare(ua: Acc, ub: Acc, ca?: Map<number, number>, cb?: Map<number, number>): Noisy {
  if (!ca || !cb || ca.size !== cb.size || ![...ca.keys()].every((x) => cb.has(x))) return diff(ua, ub);
  const xs = [...ca.keys()].sort((p, q) => p - q);
  const ya = xs.map((x) => ca.get(x)!);
  const yb = xs.map((x) => cb.get(x)!);
  const mean = (y: number[]): number => (100 * y.reduce((s, t) => s + t, 0)) / y.length;
  // per-image records that do not reproduce the row's accuracy are not that row's predictions
  if (Math.abs(mean(ya) - ua.value) > 1e-6 || Math.abs(mean(yb) - ub.value) > 1e-6) return diff(ua, ub);
  return pairedDiff(ya, yb);
}
