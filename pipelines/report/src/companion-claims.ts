/**
 * Claims of the companion methods (shared/reference/companions.md), checked on the extension
 * tables: TTFS coding (Park & Yoon 2021; T2FSNN), low-latency conversion (Deng & Gu 2021: bias
 * shift; Li et al. 2021: light/advanced calibration) and the Dspike surrogate (Li et al. 2021).
 * The extension rows differ by what their columns do not record (surrogate, ablation switch), so
 * these checks select rows by stage and row id. They live in the report stage, beside the one
 * place they are evaluated; the paper's own claims are in claims.ts.
 */
import type { ResultRecord, SeriesRecord } from '@snn/reporting';
import { f, verdict, type Claim, type ClaimOutcome } from './claims.js';
import {
  accOf,
  accText,
  all,
  atLeast,
  compare,
  correctByRow,
  exact,
  greaterThan,
  outcome,
  pm,
  pts,
  type Acc,
} from './noise.js';

class MissingRow extends Error {}

/** The rows the running check looked up (the claim table's "rows used" and "judged on"). */
const touched = new Set<string>();

/** One profile's ok values, looked up by (stage, row id, metric). */
function lookup(results: readonly ResultRecord[], profile: string) {
  const ok = new Map<string, number>();
  for (const r of results) {
    if (r.profile === profile && r.status === 'ok' && r.value !== null)
      ok.set(`${r.table}\0${r.rowId}\0${r.metric}`, r.value);
  }
  return (stage: string, rowId: string, metric: string): number => {
    touched.add(`${stage}\0${rowId}`);
    const v = ok.get(`${stage}\0${rowId}\0${metric}`);
    if (v === undefined) throw new MissingRow(`${stage}:${rowId} ${metric}`);
    return v;
  };
}

type Get = ReturnType<typeof lookup>;

/** A claim whose check reads rows by id; a missing row makes it 'not run', as for the paper's claims. */
function claim(
  id: string,
  table: string,
  text: string,
  rule: string,
  check: (get: Get) => ClaimOutcome,
  get: Get,
): Claim {
  return {
    id,
    table,
    text,
    rule,
    check: (v) => {
      touched.clear();
      try {
        return check(get);
      } catch (e) {
        if (e instanceof MissingRow) return { status: 'not run', detail: `missing ${e.message}` };
        throw e;
      } finally {
        for (const k of touched) v.markUsed(...(k.split('\0') as [string, string]));
      }
    },
  };
}

const CALIB_NETS = ['vgg2x4', 'vgg3x2-v1'];
const LOW_T = [16, 32];
const SURROGATE_T = [5, 10, 25];
const TTFS_ABLATIONS = ['ttfs-no-relax', 'ttfs-no-reg', 'ttfs-no-tkabn'];

export function companionClaims(
  results: readonly ResultRecord[],
  profile: string,
  series: readonly SeriesRecord[] = [],
): Claim[] {
  const get = lookup(results, profile);
  const correct = correctByRow(series, profile);
  const hashOf = new Map(
    results
      .filter((r) => r.profile === profile && r.metric === 'accuracy' && r.status === 'ok')
      .map((r) => [`${r.table}\0${r.rowId}`, r.configHash]),
  );
  const correctOf = (stage: string, row: string) => correct.get(`${stage}/${row}/${hashOf.get(`${stage}\0${row}`)}`);
  const opt = (stage: string, row: string, metric: string): number | null => {
    try {
      return get(stage, row, metric);
    } catch (e) {
      if (e instanceof MissingRow) return null;
      throw e;
    }
  };
  /** a row's accuracy with its noise (test_samples; accuracy_sd over seeds): noise.ts */
  const acc = (stage: string, row: string): Acc =>
    accOf(
      get(stage, row, 'accuracy'),
      opt(stage, row, 'test_samples'),
      opt(stage, row, 'accuracy_sd'),
      opt(stage, row, 'seeds'),
    );
  /** accuracy(a) - accuracy(b): paired on the same test images where both rows recorded them (noise.ts compare) */
  const cmp = (stage: string, a: string, b: string) =>
    compare(acc(stage, a), acc(stage, b), correctOf(stage, a), correctOf(stage, b));
  return [
    claim(
      'ttfs-fewer-spikes',
      'Park & Yoon 2021',
      'TTFS coding needs fewer spikes than rate coding',
      'spikes_per_neuron(ttfs) < spikes_per_neuron(rate) (ext-ttfs, same topology and T)',
      (g) => {
        const t = g('ext-ttfs', 'ttfs', 'spikes_per_neuron');
        const r = g('ext-ttfs', 'rate', 'spikes_per_neuron');
        return verdict(t < r, `ttfs ${f(t, 3)} vs rate ${f(r, 3)} spikes/neuron`);
      },
      get,
    ),
    claim(
      'ttfs-comparable-accuracy',
      'Park & Yoon 2021',
      'TTFS reaches accuracy comparable to rate coding',
      'accuracy(ttfs) - accuracy(rate) >= -5 (ext-ttfs; 95% interval)',
      () => {
        const t = acc('ext-ttfs', 'ttfs');
        const r = acc('ext-ttfs', 'rate');
        const d = cmp('ext-ttfs', 'ttfs', 'rate');
        return outcome(atLeast(d, -5), `ttfs ${accText(t)} vs rate ${f(r.value)}% (${pm(d)} pts)`);
      },
      get,
    ),
    // "a TTFS neuron fires at most once" cannot fail by construction: it is a unit test of the
    // neuron (packages/ttfs/test), and each row still records max_spikes_per_neuron
    claim(
      'ttfs-additions-fewer-spikes',
      'Park & Yoon 2021',
      'the three training additions cut spikes at comparable accuracy',
      'for each addition X: spikes_per_neuron(ttfs) <= spikes_per_neuron(ttfs without X) and accuracy(ttfs) - accuracy(ttfs without X) >= -2 (95% interval)',
      (g) => {
        const s = g('ext-ttfs', 'ttfs', 'spikes_per_neuron');
        const a = acc('ext-ttfs', 'ttfs');
        const d = TTFS_ABLATIONS.map(
          (r) => [r, g('ext-ttfs', r, 'spikes_per_neuron'), acc('ext-ttfs', r), cmp('ext-ttfs', 'ttfs', r)] as const,
        );
        return outcome(
          all(d.flatMap(([, sx, , dx]) => [exact(s <= sx), atLeast(dx, -2)])),
          `ttfs ${f(s, 3)} spikes, ${accText(a)}; ` +
            d.map(([r, sx, ax, dx]) => `${r} ${f(sx, 3)}, ${f(ax.value)}% (${pm(dx)} pts)`).join('; '),
        );
      },
      get,
    ),
    claim(
      'calib-bias-shift',
      'Deng & Gu 2021',
      'a V_th/(2T) bias shift improves low-latency conversion',
      `accuracy(tb-shift) - accuracy(tb) >= 0 at T in {${LOW_T.join(', ')}} for ${CALIB_NETS.join(', ')} (ext-calibration; 95% intervals)`,
      () => {
        const d = CALIB_NETS.flatMap((n) =>
          LOW_T.map((T) => [`${n} T=${T}`, cmp('ext-calibration', `${n}-tb-shift-t${T}`, `${n}-tb-t${T}`)] as const),
        );
        return outcome(
          all(d.map(([, x]) => atLeast(x, 0))),
          `${pts(d)}; n=${acc('ext-calibration', `${CALIB_NETS[0]}-tb-t${LOW_T[0]}`).n ?? '?'}`,
        );
      },
      get,
    ),
    claim(
      'calib-light',
      'Li et al. 2021',
      'light calibration recovers most of the low-T loss (VGG16 CIFAR10: 64.5% -> 93.3%)',
      `accuracy(light) - accuracy(tb) > 0 at T in {${LOW_T.join(', ')}} for ${CALIB_NETS.join(', ')} (ext-calibration; 95% intervals)`,
      () => {
        const d = CALIB_NETS.flatMap((n) =>
          LOW_T.map((T) => [`${n} T=${T}`, cmp('ext-calibration', `${n}-light-t${T}`, `${n}-tb-t${T}`)] as const),
        );
        return outcome(all(d.map(([, x]) => greaterThan(x, 0))), pts(d));
      },
      get,
    ),
    claim(
      'calib-advanced',
      'Li et al. 2021',
      'advanced calibration is at least as good as light (93.3% -> 93.65%)',
      `accuracy(advanced) - accuracy(light) >= -1 at T in {${LOW_T.join(', ')}} for ${CALIB_NETS.join(', ')} (ext-calibration; 95% intervals)`,
      () => {
        const d = CALIB_NETS.flatMap((n) =>
          LOW_T.map((T) => [`${n} T=${T}`, cmp('ext-calibration', `${n}-advanced-t${T}`, `${n}-light-t${T}`)] as const),
        );
        return outcome(all(d.map(([, x]) => atLeast(x, -1))), pts(d));
      },
      get,
    ),
    claim(
      'dspike-vs-pwl',
      'Li et al. 2021 (Dspike)',
      'Dspike with temperature search trains better than a fixed surrogate',
      `accuracy(dspike) - accuracy(pwl) >= 0 at T in {${SURROGATE_T.join(', ')}} (ext-surrogates, VGG5; Dspike centred on V_th, support width 1; 95% intervals)`,
      () => {
        const d = SURROGATE_T.map(
          (T) => [`T=${T}`, cmp('ext-surrogates', `vgg5-dspike-t${T}`, `vgg5-pwl-t${T}`)] as const,
        );
        return outcome(all(d.map(([, x]) => atLeast(x, 0))), pts(d));
      },
      get,
    ),
  ];
}
