/**
 * Every claim of Panda, Aketi & Roy 2020 (shared/reference/panda2020.md, "Claims the text makes")
 * as data + a predicate over the tidy results, evaluated per profile: holds / does not hold / not run.
 *
 * What trainer stages must produce for these checks (rows are found by their columns, not ids):
 *   stage       rows (topology / method / classifier / T)                         metrics
 *   table-02    VGG7, VGG2x4, VGG3x2-v1 x {ann, conversion @ several T};          accuracy (%), ee (x)
 *               VGG7 conversion with classifier 'softmax' and 'stochmax'
 *   figure-07   VGG2x4, VGG3x2-v1 conversion                                       ee (x)
 *   table-04    VGG16, VGG11x2 conversion @ T=2500 and T=250 (ImageNet)            accuracy, ee
 *   table-06    ResNet2, ResNet3, ResNet2x2 x {ann, stdp, random-kernels,            accuracy, ee_conv (x)
 *               random-decorrelated};
 *               ResNet3 stdp with classifier 'softmax' and 'stochmax'
 *   table-08    VGG5, VGG3x2-v2, VGG7, VGG3x4 x {ann, agd}                          accuracy, ee, energy_uJ
 *   table-10    VGG3 agd, classifier softmax|stochmax, T in {5, 10, 25}             accuracy
 *   table-11    VGG5, VGG3x2-v2 agd, classifier softmax|stochmax                    accuracy, ee
 *   table-12    ResNet2, ResNet3, ResNet2x2 {stdp, ann, random-kernels} with       accuracy
 *               classifier 'convnn'
 *   table-14    VGG9, VGG8x2 x {ann, hybrid (classifier 'stochmax')}                accuracy, ee
 *   table-16    VGG13 x {ann, hybrid} (ImageNet)                                    accuracy, ee
 * Metric units: accuracy in percent (0-100, test top-1); ee = E_ANN / E_SNN of the whole net
 * (@snn/energy energyEfficiency().full), ee_conv = the same over spiking conv layers only,
 * energy_uJ = SNN compute energy per image in microjoules. Where a selector leaves T open and
 * several rows match, the row with the largest T is used. Unspecified classifier = 'softmax' or
 * absent. "~X" in the paper is read with the tolerance written in each claim's `rule`.
 */
import { DEFAULT_PRESET, E_PRESETS } from '@snn/energy';
import type { ResultRecord, SeriesRecord } from '@snn/reporting';
import {
  accOf,
  accText,
  all,
  atLeast,
  atMost,
  diff,
  exact,
  greaterThan,
  lessThan,
  lin,
  compare,
  correctByRow,
  outcome,
  pm,
  pts,
  type Acc,
  type Noisy,
  type Tri,
} from './noise.js';

export type ClaimStatus = 'holds' | 'does not hold' | 'inconclusive' | 'not run';

export interface Selector {
  stage: string;
  topology?: string;
  method?: string;
  classifier?: string;
  T?: number;
  coding?: string;
}

export interface ClaimOutcome {
  status: ClaimStatus;
  detail: string;
}

export interface Claim {
  id: string;
  /** The paper's table/figure ('Table 8', 'Figure 7', 'text', 'overall'). */
  table: string;
  /** The paper's claim, in its words (panda2020.md). */
  text: string;
  /** How we check it, including the tolerance used for "~". */
  rule: string;
  check: (v: ResultsView) => ClaimOutcome;
}

class Missing extends Error {}

/** Query helper over one profile's ok rows. Throws Missing (-> 'not run') when a value is absent. */
export class ResultsView {
  private readonly ok: ResultRecord[];
  /** Rows (stage/row id) a check has looked up since the last `takeUsed` (the results page links them). */
  private used = new Set<string>();
  /** each row's per-image correctness (series 'correct'): noise.ts correctByRow */
  private readonly correct: Map<string, Map<number, number>>;
  constructor(
    results: readonly ResultRecord[],
    public readonly profile: string,
    series: readonly SeriesRecord[] = [],
  ) {
    this.correct = correctByRow(series, profile);
    this.ok = results.filter((r) => r.profile === profile && r.status === 'ok' && r.value !== null);
  }

  /** Record a row as used by the current check (checks that look rows up by id, e.g. the companion claims). */
  markUsed(stage: string, rowId: string): void {
    if (this.ok.some((r) => r.table === stage && r.rowId === rowId)) this.used.add(`${stage}/${rowId}`);
  }

  takeUsed(): Array<{ stage: string; rowId: string }> {
    const out = [...this.used].sort().map((k) => ({ stage: k.split('/')[0]!, rowId: k.split('/').slice(1).join('/') }));
    this.used = new Set();
    return out;
  }

  private match(sel: Selector, metric: string): ResultRecord[] {
    const rows = this.matchAll(sel, metric);
    for (const r of rows) this.used.add(`${r.table}/${r.rowId}`);
    return rows;
  }

  private matchAll(sel: Selector, metric: string): ResultRecord[] {
    return this.ok.filter(
      (r) =>
        r.table === sel.stage &&
        r.metric === metric &&
        (sel.topology === undefined || r.topology === sel.topology) &&
        (sel.method === undefined || r.method === sel.method) &&
        (sel.T === undefined || r.T === sel.T) &&
        (sel.coding === undefined || r.coding === sel.coding) &&
        (sel.classifier === undefined
          ? r.classifier === null || r.classifier === 'softmax'
          : r.classifier === sel.classifier),
    );
  }

  /** The value of `metric` for the row matching `sel` (largest T if several). */
  get(sel: Selector, metric: string): number {
    const rows = this.match(sel, metric).sort((a, b) => (b.T ?? 0) - (a.T ?? 0));
    if (!rows.length) throw new Missing(`${describe(sel)} ${metric}`);
    return rows[0].value as number;
  }

  /** `get`, or null when the row has no such metric (optional companions such as test_samples). */
  opt(sel: Selector, metric: string): number | null {
    try {
      return this.get(sel, metric);
    } catch (e) {
      if (e instanceof Missing) return null;
      throw e;
    }
  }

  /** The accuracy of the row matching `sel` with its noise (test_samples; accuracy_sd over seeds). */
  acc(sel: Selector): Acc {
    return accOf(
      this.get(sel, 'accuracy'),
      this.opt(sel, 'test_samples'),
      this.opt(sel, 'accuracy_sd'),
      this.opt(sel, 'seeds'),
    );
  }

  /**
   * accuracy(a) - accuracy(b) in points. Paired (noise.ts `pairedDiff`) when both rows recorded
   * each test image's correctness on the same images and those reproduce the rows' accuracies;
   * otherwise the unpaired difference of the two accuracies.
   */
  cmp(a: Selector, b: Selector): Noisy {
    return compare(this.acc(a), this.acc(b), this.correctOf(a), this.correctOf(b));
  }

  private correctOf(sel: Selector): Map<number, number> | undefined {
    const r = this.match(sel, 'accuracy').sort((p, q) => (q.T ?? 0) - (p.T ?? 0))[0];
    return r ? this.correct.get(`${r.table}/${r.rowId}/${r.configHash}`) : undefined;
  }

  /**
   * What `rows` were measured with, for a claim's "judged on" cell: the T values, widths (the
   * paper's is 1), test images and seeds, e.g. 'T 32, 64, 128 · width 0.25 · 200 test images · 1 seed'.
   */
  basis(rows: ReadonlyArray<{ stage: string; rowId: string }>): string {
    const keys = new Set(rows.map((r) => `${r.stage}/${r.rowId}`));
    const recs = this.ok.filter((r) => keys.has(`${r.table}/${r.rowId}`));
    if (!recs.length) return '';
    const uniq = (xs: Array<number | null>): number[] =>
      [...new Set(xs.filter((x): x is number => x !== null))].sort((a, b) => a - b);
    const metric = (m: string) => uniq(recs.filter((r) => r.metric === m).map((r) => r.value));
    const Ts = uniq(recs.map((r) => r.T));
    const widths = metric('width');
    const n = metric('test_samples');
    const perRow = new Map<string, number>();
    for (const r of recs) if (r.metric === 'seeds' && r.value !== null) perRow.set(`${r.table}/${r.rowId}`, r.value);
    const seeds = uniq([...keys].map((k) => perRow.get(k) ?? 1));
    const parts = [
      Ts.length ? `T ${Ts.join(', ')}` : '',
      widths.length ? `width ${widths.join(', ')}` : '',
      n.length ? `${n.join(', ')} test images` : '',
      `${seeds.join(', ')} seed${seeds.length === 1 && seeds[0] === 1 ? '' : 's'}`,
    ];
    return parts.filter(Boolean).join(' · ');
  }

  /** A value of one row by id (a labelled variant no selector picks), or null; recorded as used. */
  rowValue(stage: string, rowId: string, metric: string): number | null {
    const r = this.ok.find((x) => x.table === stage && x.rowId === rowId && x.metric === metric);
    if (!r) return null;
    this.used.add(`${r.table}/${r.rowId}`);
    return r.value as number;
  }

  /** ' (width 1: 12.3×)': the row's EE projected to the paper's width (its rates on width-1 MACs, ee_w1), or '' */
  w1(sel: Selector): string {
    const x = this.opt(sel, 'ee_w1');
    return x === null ? '' : ` (width 1: ${f(x)}×)`;
  }

  /** All (T, value) of `metric` for rows matching `sel`, sorted by T. */
  series(sel: Selector, metric: string): Array<{ T: number; value: number }> {
    const rows = this.match(sel, metric)
      .filter((r) => r.T !== null)
      .map((r) => ({ T: r.T as number, value: r.value as number }));
    if (!rows.length) throw new Missing(`${describe(sel)} ${metric}`);
    return rows.sort((a, b) => a.T - b.T);
  }
}

function describe(s: Selector): string {
  return `${s.stage}:${[s.topology, s.method, s.classifier, s.T !== undefined ? `T=${s.T}` : undefined].filter(Boolean).join('/')}`;
}

export const f = (x: number, d = 2): string => x.toFixed(d);
export const verdict = (ok: boolean, detail: string): ClaimOutcome => ({
  status: ok ? 'holds' : 'does not hold',
  detail,
});
/** 'ResNet2 +3.07 pts, ResNet3 -0.27 pts': signed differences in points, for a claim's detail */
const CIFAR_BACKRES_CONV = ['VGG2x4', 'VGG3x2-v1'];

/**
 * A claim about BackRes nets under both readings of their topology (models/topologies.ts): as
 * built by default (Conv1 widened to the block's 128) and with Conv1 and the block at 64 ('-b64',
 * id suffix '@b64'). `B` maps a BackRes topology name to the reading's; each rule says its reading.
 */
function readings(make: (B: (name: string) => string) => Claim): Claim[] {
  const wide = make((n) => n);
  const narrow = make((n) => `${n}-b64`);
  return [
    { ...wide, rule: `${wide.rule} [BackRes reading: Conv1 widened to the block, 128]` },
    { ...narrow, id: `${narrow.id}@b64`, rule: `${narrow.rule} [BackRes reading: Conv1 and the block at 64]` },
  ];
}

/** @snn/energy's default preset (45 nm int32): pJ per MAC and per AC */
const { mac: E_MAC, ac: E_AC } = E_PRESETS[DEFAULT_PRESET];
const IMPLIED_RATE =
  'the implied MAC-weighted input spike rate r̄ = (E_MAC/E_AC)/(T·EE) (the rate at which an all-AC SNN reaches that EE)';

/** The MAC-weighted input rate per step an EE implies at T: E_ANN/E_SNN = ΣM·E_MAC / (ΣM·r·T·E_AC). */
export function impliedRate(ee: number, T: number): string {
  return (E_MAC / E_AC / (T * ee)).toFixed(3);
}

/** 'T=32 17.60× ✓ (r̄ 0.057), T=64 ...': an EE at every T a row has, against the bound `min` */
function eePerT(s: ReadonlyArray<{ T: number; value: number }>, min: number): string {
  return s
    .map((p) => `T=${p.T} ${f(p.value)}× ${p.value >= min ? '✓' : '✗'} (r̄ ${impliedRate(p.value, p.T)})`)
    .join(', ');
}

export const CLAIMS: Claim[] = [
  ...readings((B) => ({
    id: 't2-backres-ann',
    table: 'Table 2',
    text: 'BackRes ANNs lose at most ~1–2% vs VGG7',
    rule: 'accuracy(X ann) - accuracy(VGG7 ann) >= -2 for X in VGG2x4, VGG3x2-v1 (95% interval of the difference)',
    check: (v) => {
      const ref = v.acc({ stage: 'table-02', topology: 'VGG7', method: 'ann' });
      const d = CIFAR_BACKRES_CONV.map(B).map(
        (t) =>
          [
            t,
            v.cmp(
              { stage: 'table-02', topology: t, method: 'ann' },
              { stage: 'table-02', topology: 'VGG7', method: 'ann' },
            ),
          ] as const,
      );
      return outcome(all(d.map(([, x]) => atLeast(x, -2))), `${pts(d)}; n=${ref.n ?? '?'}`);
    },
  })),
  {
    id: 't2-snn-near-ann',
    table: 'Table 2',
    text: 'converted SNNs are near their ANNs',
    rule: 'accuracy(conversion, hard reset as the paper, largest T) - accuracy(ann) >= -3 for VGG7, VGG2x4, VGG3x2-v1 (95% interval)',
    check: (v) => {
      const d = ['VGG7', ...CIFAR_BACKRES_CONV].map(
        (t) =>
          [
            t,
            v.cmp(
              { stage: 'table-02', topology: t, method: 'conversion' },
              { stage: 'table-02', topology: t, method: 'ann' },
            ),
          ] as const,
      );
      return outcome(all(d.map(([, x]) => atLeast(x, -3))), pts(d));
    },
  },
  {
    id: 't2-larger-t',
    table: 'Table 2',
    text: 'larger T is better (conversion)',
    rule: 'for each topology, accuracy at the largest T - accuracy at the smallest T > 0 (>= 2 values of T; 95% interval)',
    check: (v) => {
      const d = ['VGG7', ...CIFAR_BACKRES_CONV].map(
        (t) => [t, v.series({ stage: 'table-02', topology: t, method: 'conversion' }, 'accuracy')] as const,
      );
      if (d.some(([, s]) => s.length < 2)) throw new Missing('table-02 conversion rows at two values of T');
      const gain = d.map(
        ([t, s]) =>
          [
            t,
            v.cmp(
              { stage: 'table-02', topology: t, method: 'conversion', T: s[s.length - 1].T },
              { stage: 'table-02', topology: t, method: 'conversion', T: s[0].T },
            ),
          ] as const,
      );
      return outcome(
        all(gain.map(([, x]) => greaterThan(x, 0))),
        d
          .map(([t, s], i) => `${t}: ${s.map((p) => `T=${p.T} ${f(p.value)}`).join(' → ')} (${pm(gain[i][1])} pts)`)
          .join('; '),
      );
    },
  },
  ...readings((B) => ({
    id: 't2-backres-ee',
    table: 'Table 2',
    text: 'BackRes gives large EE',
    rule: `ee(conversion) >= 10 for VGG2x4 and VGG3x2-v1, judged at the largest T (the most accurate operating point); every T is listed with its verdict and ${IMPLIED_RATE}`,
    check: (v) => {
      const d = CIFAR_BACKRES_CONV.map(B).map(
        (t) => [t, v.series({ stage: 'table-02', topology: t, method: 'conversion' }, 'ee')] as const,
      );
      // the Poisson input rate used (the paper does not state its own) and the sensitivity row at half of it
      const rate = (t: string) => v.opt({ stage: 'table-02', topology: t, method: 'conversion' }, 'input_rate');
      const rateText = (t: string) => (rate(t) === null ? '' : ` [input spike rate ${f(rate(t)!, 3)}/step]`);
      const half = v.rowValue('table-02', 'vgg2x4-conv-rate-half', 'ee');
      return verdict(
        d.every(([, s]) => s[s.length - 1].value >= 10),
        d.map(([t, s]) => `${t}: ${eePerT(s, 10)}${rateText(t)}`).join('; ') +
          (half === null ? '' : `; sensitivity, VGG2x4 at half the input rate: ${f(half)}×`),
      );
    },
  })),
  ...readings((B) => ({
    id: 't2-vth-increasing',
    table: 'Table 2',
    text: 'within a BackRes block the balanced thresholds rise, V_th1 < V_th2 < … < V_thn (sparsifying effect)',
    rule: "vth_increasing = 1 for VGG2x4 and VGG3x2-v1 conversion (thresholds in the paper's unit-spike convention, Sengupta et al. 2019: V_th,n = θ_n / θ_(n-1) of our amplitude-θ IF neurons)",
    check: (v) => {
      const d = CIFAR_BACKRES_CONV.map(B).map(
        (t) => [t, v.get({ stage: 'table-02', topology: t, method: 'conversion' }, 'vth_increasing')] as const,
      );
      return verdict(
        d.every(([, x]) => x === 1),
        d.map(([t, x]) => `${t} ${x === 1 ? 'rising' : 'not rising'}`).join(', '),
      );
    },
  })),
  ...readings((B) => ({
    id: 'f7-ee-ratio',
    table: 'Figure 7',
    text: 'VGG2x4 (n=4) has ~1.3× the EE of VGG3x2-v1 (n=2)',
    rule: 'ee(VGG2x4) / ee(VGG3x2-v1) in [1.1, 1.6]',
    check: (v) => {
      const r =
        v.get({ stage: 'figure-07', topology: B('VGG2x4'), method: 'conversion' }, 'ee') /
        v.get({ stage: 'figure-07', topology: B('VGG3x2-v1'), method: 'conversion' }, 'ee');
      return verdict(r >= 1.1 && r <= 1.6, `ratio ${f(r)}`);
    },
  })),
  {
    id: 't4-imagenet-backres',
    table: 'Table 4',
    text: 'VGG11x2 SNN within ~1% of VGG16 SNN at ~2× EE (ImageNet, T=2500)',
    rule: 'accuracy(VGG11x2) >= accuracy(VGG16) - 1.5 and ee(VGG11x2)/ee(VGG16) >= 1.5, conversion at T=2500',
    check: (v) => {
      const s = { stage: 'table-04', method: 'conversion', T: 2500 };
      const da = v.cmp({ ...s, topology: 'VGG11x2' }, { ...s, topology: 'VGG16' });
      const r = v.get({ ...s, topology: 'VGG11x2' }, 'ee') / v.get({ ...s, topology: 'VGG16' }, 'ee');
      return outcome(all([atLeast(da, -1.5), exact(r >= 1.5)]), `Δacc ${pm(da)} pts, EE ratio ${f(r)}`);
    },
  },
  {
    id: 't4-t250-low',
    table: 'Table 4',
    text: 'T=250 gives very low accuracy (ImageNet conversion)',
    rule: 'accuracy(T=250) - 0.5 × accuracy(T=2500) < 0 for VGG16 and VGG11x2 (95% interval)',
    check: (v) => {
      const d = ['VGG16', 'VGG11x2'].map(
        (t) =>
          [
            t,
            v.acc({ stage: 'table-04', topology: t, method: 'conversion', T: 250 }),
            v.acc({ stage: 'table-04', topology: t, method: 'conversion', T: 2500 }),
          ] as const,
      );
      return outcome(
        all(
          d.map(([, lo, hi]) =>
            lessThan(
              lin([
                [1, lo],
                [-0.5, hi],
              ]),
              0,
            ),
          ),
        ),
        d.map(([t, lo, hi]) => `${t} ${f(lo.value)} vs ${f(hi.value)}`).join(', '),
      );
    },
  },
  {
    id: 't6-stdp-gap',
    table: 'Table 6',
    text: 'STDP SNN far below ANN (>20 points)',
    rule: "accuracy(ann) - accuracy(stdp) > 20 for ResNet2, ResNet3, ResNet2x2 (95% interval; seeds' spread included)",
    check: (v) => {
      const d = ['ResNet2', 'ResNet3', 'ResNet2x2'].map(
        (t) =>
          [
            t,
            v.cmp(
              { stage: 'table-06', topology: t, method: 'ann' },
              { stage: 'table-06', topology: t, method: 'stdp' },
            ),
          ] as const,
      );
      return outcome(all(d.map(([, x]) => atLeast(x, 20))), d.map(([t, x]) => `${t} gap ${pm(x)} pts`).join(', '));
    },
  },
  {
    id: 't6-resnet3-lt-resnet2',
    table: 'Table 6',
    text: 'ResNet3 < ResNet2 (STDP)',
    rule: 'accuracy(ResNet2 stdp) - accuracy(ResNet3 stdp) > 0 (95% interval)',
    check: (v) => {
      const a = v.acc({ stage: 'table-06', topology: 'ResNet3', method: 'stdp' });
      const b = v.acc({ stage: 'table-06', topology: 'ResNet2', method: 'stdp' });
      const d = v.cmp(
        { stage: 'table-06', topology: 'ResNet2', method: 'stdp' },
        { stage: 'table-06', topology: 'ResNet3', method: 'stdp' },
      );
      return outcome(greaterThan(d, 0), `ResNet3 ${accText(a)} vs ResNet2 ${accText(b)} (${pm(d)} pts)`);
    },
  },
  {
    id: 't6-resnet2x2',
    table: 'Table 6',
    text: 'ResNet2x2 > ResNet3 with ~10× EE (conv layers)',
    rule: 'accuracy(ResNet2x2 stdp) - accuracy(ResNet3 stdp) > 0 (95% interval) and ee_conv(ResNet2x2 stdp) >= 5',
    check: (v) => {
      const a = v.acc({ stage: 'table-06', topology: 'ResNet2x2', method: 'stdp' });
      const b = v.acc({ stage: 'table-06', topology: 'ResNet3', method: 'stdp' });
      const ee = v.get({ stage: 'table-06', topology: 'ResNet2x2', method: 'stdp' }, 'ee_conv');
      const d = v.cmp(
        { stage: 'table-06', topology: 'ResNet2x2', method: 'stdp' },
        { stage: 'table-06', topology: 'ResNet3', method: 'stdp' },
      );
      return outcome(
        all([greaterThan(d, 0), exact(ee >= 5)]),
        `ResNet2x2 ${accText(a)} vs ResNet3 ${accText(b)} (${pm(d)} pts); conv EE ${f(ee)}×`,
      );
    },
  },
  ...readings((B) => ({
    id: 't8-agd-near-ann',
    table: 'Table 8',
    text: 'VGG5 and VGG3x2-v2 lose ~2–3% vs ANN at ~15× EE (AGD)',
    rule: 'accuracy(agd) - accuracy(ann) >= -4 (95% interval) and ee(agd) >= 7.5 for VGG5 and VGG3x2-v2',
    check: (v) => {
      const d = ['VGG5', B('VGG3x2-v2')].map(
        (t) =>
          [
            t,
            v.cmp({ stage: 'table-08', topology: t, method: 'agd' }, { stage: 'table-08', topology: t, method: 'ann' }),
            v.get({ stage: 'table-08', topology: t, method: 'agd' }, 'ee'),
          ] as const,
      );
      return outcome(
        all(d.flatMap(([, da, ee]) => [atLeast(da, -4), exact(ee >= 7.5)])),
        d
          .map(
            ([t, da, ee]) => `${t} ${pm(da)} pts, ${f(ee)}×${v.w1({ stage: 'table-08', topology: t, method: 'agd' })}`,
          )
          .join('; '),
      );
    },
  })),
  {
    id: 't8-vgg7-fails',
    table: 'Table 8',
    text: 'VGG7 fails to train with AGD',
    rule: 'accuracy(VGG7 agd) <= 20 (chance is 10; 95% interval), with a positive control: VGG5 agd at the same budget must reach >= 20 and beat VGG7 by >= 10 points, else the budget cannot tell (inconclusive)',
    check: (v) => {
      const a = v.acc({ stage: 'table-08', topology: 'VGG7', method: 'agd' });
      const c = v.acc({ stage: 'table-08', topology: 'VGG5', method: 'agd' });
      const low = atMost(a, 20);
      const control = all([
        atLeast(c, 20),
        atLeast(
          v.cmp(
            { stage: 'table-08', topology: 'VGG5', method: 'agd' },
            { stage: 'table-08', topology: 'VGG7', method: 'agd' },
          ),
          10,
        ),
      ]);
      const t: Tri = low === 'does not hold' ? 'does not hold' : control !== 'holds' ? 'inconclusive' : low;
      return outcome(
        t,
        `VGG7 agd ${accText(a)}; control VGG5 agd ${accText(c)}${control === 'holds' ? '' : ' (control not decisive)'}`,
      );
    },
  },
  ...readings((B) => ({
    id: 't8-vgg3x4-beats',
    table: 'Table 8',
    text: 'VGG3x4 trains with AGD and beats the VGG7 and VGG3x4 ANNs',
    rule: 'accuracy(VGG3x4 agd) > 20 and its differences to VGG7 ann, VGG3x4 ann and VGG7 agd > 0 (95% intervals)',
    check: (v) => {
      const a = v.acc({ stage: 'table-08', topology: B('VGG3x4'), method: 'agd' });
      const self = { stage: 'table-08', topology: B('VGG3x4'), method: 'agd' };
      const o: Array<readonly [string, Selector]> = [
        ['VGG7 ann', { stage: 'table-08', topology: 'VGG7', method: 'ann' }],
        [`${B('VGG3x4')} ann`, { stage: 'table-08', topology: B('VGG3x4'), method: 'ann' }],
        ['VGG7 agd', { stage: 'table-08', topology: 'VGG7', method: 'agd' }],
      ];
      const d = o.map(([k, x]) => [k, v.cmp(self, x)] as const);
      return outcome(
        all([atLeast(a, 20), ...d.map(([, x]) => greaterThan(x, 0))]),
        `${B('VGG3x4')} agd ${accText(a)}; minus ${pts(d)}`,
      );
    },
  })),
  {
    id: 't10-stochmax-every-t',
    table: 'Table 10',
    text: 'VGG3: stochmax beats softmax at every T in {5, 10, 25}',
    rule: 'accuracy(stochmax, T) - accuracy(softmax, T) > 0 for T = 5, 10, 25 (95% intervals)',
    check: (v) => {
      const d = [5, 10, 25].map(
        (T) =>
          [
            `T=${T}`,
            v.cmp(
              { stage: 'table-10', topology: 'VGG3', method: 'agd', classifier: 'stochmax', T },
              { stage: 'table-10', topology: 'VGG3', method: 'agd', classifier: 'softmax', T },
            ),
          ] as const,
      );
      return outcome(all(d.map(([, x]) => greaterThan(x, 0))), pts(d));
    },
  },
  {
    id: 't11-stochmax-gain',
    table: 'Table 11',
    text: 'stochmax VGG5/VGG3x2-v2: +3–4% over softmax',
    rule: 'accuracy(stochmax) - accuracy(softmax) >= 2 for VGG5 and VGG3x2-v2 (AGD; 95% intervals)',
    check: (v) => {
      const d = ['VGG5', 'VGG3x2-v2'].map(
        (t) =>
          [
            t,
            v.cmp(
              { stage: 'table-11', topology: t, method: 'agd', classifier: 'stochmax' },
              { stage: 'table-11', topology: t, method: 'agd', classifier: 'softmax' },
            ),
          ] as const,
      );
      return outcome(all(d.map(([, x]) => atLeast(x, 2))), pts(d));
    },
  },
  {
    id: 't11-stochmax-sparser',
    table: 'Table 11',
    text: 'stochmax gives sparser activity (1.6–2× EE)',
    rule: 'ee(stochmax) / ee(softmax) >= 1.3 for VGG5 and VGG3x2-v2',
    check: (v) => {
      const d = ['VGG5', 'VGG3x2-v2'].map(
        (t) =>
          [
            t,
            v.get({ stage: 'table-11', topology: t, method: 'agd', classifier: 'stochmax' }, 'ee') /
              v.get({ stage: 'table-11', topology: t, method: 'agd', classifier: 'softmax' }, 'ee'),
          ] as const,
      );
      return verdict(
        d.every(([, x]) => x >= 1.3),
        d.map(([t, x]) => `${t} ${f(x)}×`).join(', '),
      );
    },
  },
  {
    id: 'text-stochmax-conversion-stdp',
    table: 'text',
    text: 'stochmax adds ~1–2% to conversion (VGG7) and STDP (ResNet3)',
    rule: 'accuracy(stochmax) - accuracy(softmax) > 0 for VGG7 conversion (table-02) and ResNet3 stdp (table-06) (95% intervals)',
    check: (v) => {
      const a = v.cmp(
        { stage: 'table-02', topology: 'VGG7', method: 'conversion', classifier: 'stochmax' },
        { stage: 'table-02', topology: 'VGG7', method: 'conversion', classifier: 'softmax' },
      );
      const b = v.cmp(
        { stage: 'table-06', topology: 'ResNet3', method: 'stdp', classifier: 'stochmax' },
        { stage: 'table-06', topology: 'ResNet3', method: 'stdp', classifier: 'softmax' },
      );
      return outcome(
        all([greaterThan(a, 0), greaterThan(b, 0)]),
        `VGG7 conversion ${pm(a)} pts, ResNet3 STDP ${pm(b)} pts`,
      );
    },
  },
  {
    id: 't12-convnn',
    table: 'Table 12',
    text: 'STDP + ConvNN head: >75% (~80%), gap to ANN down from >20 to ~3 points',
    rule: "best accuracy(stdp, classifier convnn) > 75 and its gap to the same topology's ann <= 5 (95% intervals)",
    check: (v) => {
      const d = ['ResNet2', 'ResNet3', 'ResNet2x2'].flatMap((t) => {
        const stdp = { stage: 'table-12', topology: t, method: 'stdp', classifier: 'convnn' };
        const ann = { stage: 'table-12', topology: t, method: 'ann', classifier: 'convnn' };
        try {
          return [[t, v.acc(stdp), v.acc(ann), v.cmp(ann, stdp)] as const];
        } catch {
          return [];
        }
      });
      if (!d.length) throw new Missing('table-12 stdp/convnn and ann rows');
      const best = d.reduce((a, b) => (b[1].value > a[1].value ? b : a));
      return outcome(
        all([atLeast(best[1], 75), atMost(best[3], 5)]),
        `${best[0]} ${accText(best[1])} (ANN ${accText(best[2])}; gap ${pm(best[3])} pts)`,
      );
    },
  },
  {
    id: 't6-t12-stdp-beats-random',
    table: 'Tables 6, 12 (implied)',
    text: 'STDP-learnt kernels are better features than random frozen kernels (the premise of the STDP tables)',
    rule: 'accuracy(stdp) - accuracy(random-kernels) > 0 with the same head, for ResNet2, ResNet3, ResNet2x2 in table-06 (FC head) and table-12 (ConvNN head) (95% intervals)',
    check: (v) => {
      const d = (['table-06', 'table-12'] as const).flatMap((stage) =>
        ['ResNet2', 'ResNet3', 'ResNet2x2'].map((t) => {
          const classifier = stage === 'table-12' ? 'convnn' : undefined;
          return [
            `${stage === 'table-06' ? 'T6' : 'T12'} ${t}`,
            v.cmp(
              { stage, topology: t, method: 'stdp', classifier },
              { stage, topology: t, method: 'random-kernels', classifier },
            ),
          ] as const;
        }),
      );
      return outcome(all(d.map(([, x]) => greaterThan(x, 0))), pts(d));
    },
  },
  {
    id: 't6-stdp-beats-decorrelated-random',
    table: 'Table 6 (our control)',
    text: "the STDP gain over random kernels is learning, not the rule's normalisation and decorrelation alone",
    rule: 'accuracy(stdp) - accuracy(random-decorrelated: the same loop with η = 0) > 0 for ResNet2, ResNet3, ResNet2x2 in table-06 (95% intervals)',
    check: (v) => {
      const d = ['ResNet2', 'ResNet3', 'ResNet2x2'].map(
        (t) =>
          [
            t,
            v.cmp(
              { stage: 'table-06', topology: t, method: 'stdp', classifier: 'softmax' },
              { stage: 'table-06', topology: t, method: 'random-decorrelated' },
            ),
          ] as const,
      );
      return outcome(all(d.map(([, x]) => greaterThan(x, 0))), pts(d));
    },
  },
  {
    id: 't14-hybrid',
    table: 'Table 14',
    text: 'VGG9 and VGG8x2 hybrids train, ~1% above the ANN without BN, ~85%',
    rule: 'accuracy(hybrid) - accuracy(ann) >= 0 and accuracy(hybrid) >= 80 for VGG9 and VGG8x2 (95% intervals)',
    check: (v) => {
      const d = ['VGG9', 'VGG8x2'].map((t) => {
        const hybrid = { stage: 'table-14', topology: t, method: 'hybrid', classifier: 'stochmax' };
        const ann = { stage: 'table-14', topology: t, method: 'ann' };
        return [t, v.acc(hybrid), v.acc(ann), v.cmp(hybrid, ann)] as const;
      });
      return outcome(
        all(d.flatMap(([, h, , dh]) => [atLeast(dh, 0), atLeast(h, 80)])),
        d.map(([t, h, a, dh]) => `${t} ${accText(h)} vs ANN ${f(a.value)} (${pm(dh)} pts)`).join('; '),
      );
    },
  },
  {
    id: 't14-hybrid-ee',
    table: 'Table 14',
    text: 'hybrids ~4× EE; VGG8x2 slightly more EE than VGG9',
    rule: 'ee(hybrid) >= 2 for both and ee(VGG8x2) > ee(VGG9)',
    check: (v) => {
      const a = v.get({ stage: 'table-14', topology: 'VGG9', method: 'hybrid', classifier: 'stochmax' }, 'ee');
      const b = v.get({ stage: 'table-14', topology: 'VGG8x2', method: 'hybrid', classifier: 'stochmax' }, 'ee');
      const w = (t: string) => v.w1({ stage: 'table-14', topology: t, method: 'hybrid', classifier: 'stochmax' });
      return verdict(a >= 2 && b >= 2 && b > a, `VGG9 ${f(a)}×${w('VGG9')}, VGG8x2 ${f(b)}×${w('VGG8x2')}`);
    },
  },
  {
    id: 't16-imagenet-hybrid',
    table: 'Table 16',
    text: 'VGG13 hybrid iso-accurate with its ANN at 1.3× EE (ImageNet, T=10)',
    rule: 'accuracy(hybrid) >= accuracy(ann) - 1 and ee(hybrid) >= 1.1',
    check: (v) => {
      const hybrid = { stage: 'table-16', topology: 'VGG13', method: 'hybrid' };
      const ann = { stage: 'table-16', topology: 'VGG13', method: 'ann' };
      const h = v.acc(hybrid);
      const a = v.acc(ann);
      const ee = v.get(hybrid, 'ee');
      const dh = v.cmp(hybrid, ann);
      return outcome(
        all([atLeast(dh, -1), exact(ee >= 1.1)]),
        `${accText(h)} vs ANN ${f(a.value)} (${pm(dh)} pts), ${f(ee)}×`,
      );
    },
  },
  ...readings((B) => ({
    id: 'overall-backres-ee',
    table: 'overall',
    text: 'BackRes: ~10–100× EE over ANN',
    rule: `ee in [10, 100] for every BackRes SNN row found (VGG2x4, VGG3x2-v1 conversion at their largest T; VGG3x2-v2, VGG3x4 agd), with ${IMPLIED_RATE}`,
    check: (v) => {
      const sels: Array<[string, Selector]> = [
        [B('VGG2x4'), { stage: 'table-02', topology: B('VGG2x4'), method: 'conversion' }],
        [B('VGG3x2-v1'), { stage: 'table-02', topology: B('VGG3x2-v1'), method: 'conversion' }],
        [B('VGG3x2-v2'), { stage: 'table-08', topology: B('VGG3x2-v2'), method: 'agd' }],
        [B('VGG3x4'), { stage: 'table-08', topology: B('VGG3x4'), method: 'agd' }],
      ];
      const d = sels.flatMap(([t, s]) => {
        try {
          const last = v.series(s, 'ee').at(-1)!;
          return [[t, last.value, last.T] as const];
        } catch {
          return [];
        }
      });
      if (!d.length) throw new Missing('BackRes SNN rows with ee (table-02, table-08)');
      return verdict(
        d.every(([, x]) => x >= 10 && x <= 100),
        d
          .map(
            ([t, x, T]) => `${t} ${f(x)}× at T=${T} (r̄ ${impliedRate(x, T)})${v.w1(sels.find(([n]) => n === t)![1])}`,
          )
          .join(', '),
      );
    },
  })),
  ...readings((B) => ({
    id: 'overall-backres-vs-full-depth',
    table: 'overall',
    text: 'BackRes: ~1.8–3.5× lower energy than the full-depth SNN',
    rule: 'SNN energy per image, full depth / BackRes >= 1.5 in the comparisons the paper makes: conversion VGG7 / VGG2x4 (table-02, each T both have) and STDP ResNet3 / ResNet2x2 (table-06); AGD VGG7 / VGG3x4 is listed but not judged (the paper says VGG7 does not train with AGD)',
    check: (v) => {
      const conv = (t: string) => v.series({ stage: 'table-02', topology: t, method: 'conversion' }, 'energy_uJ');
      const full = conv('VGG7');
      const back = new Map(conv(B('VGG2x4')).map((p) => [p.T, p.value]));
      const ratios: Array<readonly [string, number]> = full
        .filter((p) => back.has(p.T))
        .map((p) => [`conversion T=${p.T}`, p.value / back.get(p.T)!] as const);
      if (!ratios.length) throw new Missing('table-02 VGG7 and VGG2x4 conversion energy_uJ at a common T');
      const stdp = (t: string) => v.get({ stage: 'table-06', topology: t, method: 'stdp' }, 'energy_uJ');
      ratios.push(['STDP ResNet3/ResNet2x2', stdp('ResNet3') / stdp('ResNet2x2')]);
      const agd = v.opt({ stage: 'table-08', topology: 'VGG7', method: 'agd' }, 'energy_uJ');
      const agdB = v.opt({ stage: 'table-08', topology: B('VGG3x4'), method: 'agd' }, 'energy_uJ');
      return verdict(
        ratios.every(([, r]) => r >= 1.5),
        ratios.map(([k, r]) => `${k} ${f(r)}×`).join(', ') +
          (agd !== null && agdB !== null ? `; not judged: AGD VGG7/VGG3x4 ${f(agd / agdB)}×` : ''),
      );
    },
  })),
];

export interface ClaimResult {
  claim: Claim;
  profile: string;
  status: ClaimStatus;
  detail: string;
  /** The result rows the check looked up. */
  rows: Array<{ stage: string; rowId: string }>;
  /** What those rows were measured with: T, width, test images, seeds ('' when no row was found). */
  basis: string;
}

export function evaluateClaims(
  results: readonly ResultRecord[],
  profile: string,
  claims: readonly Claim[] = CLAIMS,
  series: readonly SeriesRecord[] = [],
): ClaimResult[] {
  const v = new ResultsView(results, profile, series);
  return claims.map((claim) => {
    try {
      const o = claim.check(v);
      const rows = v.takeUsed();
      return { claim, profile, ...o, rows, basis: v.basis(rows) };
    } catch (e) {
      const rows = v.takeUsed();
      const basis = v.basis(rows);
      if (e instanceof Missing)
        return { claim, profile, status: 'not run' as const, detail: `missing ${e.message}`, rows, basis };
      return {
        claim,
        profile,
        status: 'not run' as const,
        detail: `check error: ${(e as Error).message}`,
        rows,
        basis,
      };
    }
  });
}

export function claimsMarkdown(evaluated: readonly ClaimResult[], profile: string, engines: string[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const count = (s: ClaimStatus): number => evaluated.filter((e) => e.status === s).length;
  const lines = [
    '# Claims of Panda, Aketi & Roy 2020, checked on our results',
    '',
    `<!-- generated by pipelines/report from artifacts/results/${profile}/*/results.arrow; do not edit (pnpm audit:tables checks it) -->`,
    '',
    `Profile: **${profile}**. Engine: ${engines.length ? engines.join(', ') : 'n/a'}. ` +
      `${count('holds')} hold, ${count('does not hold')} do not hold, ${count('inconclusive')} inconclusive, ${count('not run')} not run. ` +
      "Accuracy comparisons are judged on 95% intervals: paired on the same test images where both rows recorded each image's prediction (an exact McNemar-type interval, or a paired bootstrap over images for rows that average seeds; shown as [lo, hi] paired), else unpaired (binomial over the row's test images plus the seeds' spread, ± half-width; conservative). " +
      'a claim holds or fails only when the whole interval does, and is inconclusive when the interval straddles the bound. ' +
      'EE details give, where the row has them, the EE projected to the paper\'s width ("width 1": the row\'s measured per-layer rates on width-1 MACs; small widths overweight the Poisson-input layer) and the MAC-weighted input rate r̄ the EE implies. ' +
      'A claim is "not run" when a row it needs has no result under this profile. The tolerance we read into "~" is in the rule column; checks are in pipelines/report/src/claims.ts.',
    '',
    `| id | paper | claim | rule | ${profile} | judged on | detail |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...evaluated.map(
      (e) =>
        `| ${e.claim.id} | ${e.claim.table} | ${esc(e.claim.text)} | ${esc(e.claim.rule)} | **${e.status}** | ${esc(e.basis || '—')} | ${esc(e.detail)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
