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
import type { ResultRecord } from '@snn/reporting';
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
  outcome,
  pm,
  pts,
  type Acc,
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
  constructor(
    results: readonly ResultRecord[],
    public readonly profile: string,
  ) {
    this.ok = results.filter((r) => r.profile === profile && r.status === 'ok' && r.value !== null);
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

export const CLAIMS: Claim[] = [
  {
    id: 't2-backres-ann',
    table: 'Table 2',
    text: 'BackRes ANNs lose at most ~1–2% vs VGG7',
    rule: 'accuracy(X ann) - accuracy(VGG7 ann) >= -2 for X in VGG2x4, VGG3x2-v1 (95% interval of the difference)',
    check: (v) => {
      const ref = v.acc({ stage: 'table-02', topology: 'VGG7', method: 'ann' });
      const d = CIFAR_BACKRES_CONV.map(
        (t) => [t, diff(v.acc({ stage: 'table-02', topology: t, method: 'ann' }), ref)] as const,
      );
      return outcome(all(d.map(([, x]) => atLeast(x, -2))), `${pts(d)}; n=${ref.n ?? '?'}`);
    },
  },
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
            diff(
              v.acc({ stage: 'table-02', topology: t, method: 'conversion' }),
              v.acc({ stage: 'table-02', topology: t, method: 'ann' }),
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
            diff(
              v.acc({ stage: 'table-02', topology: t, method: 'conversion', T: s[s.length - 1].T }),
              v.acc({ stage: 'table-02', topology: t, method: 'conversion', T: s[0].T }),
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
  {
    id: 't2-backres-ee',
    table: 'Table 2',
    text: 'BackRes gives large EE',
    rule: 'ee(conversion, largest T) >= 10 for VGG2x4 and VGG3x2-v1',
    check: (v) => {
      const d = CIFAR_BACKRES_CONV.map(
        (t) => [t, v.get({ stage: 'table-02', topology: t, method: 'conversion' }, 'ee')] as const,
      );
      return verdict(
        d.every(([, x]) => x >= 10),
        d.map(([t, x]) => `${t} ${f(x)}×`).join(', '),
      );
    },
  },
  {
    id: 't2-vth-increasing',
    table: 'Table 2',
    text: 'within a BackRes block the balanced thresholds rise, V_th1 < V_th2 < … < V_thn (sparsifying effect)',
    rule: "vth_increasing = 1 for VGG2x4 and VGG3x2-v1 conversion (thresholds in the paper's unit-spike convention, Sengupta et al. 2019: V_th,n = θ_n / θ_(n-1) of our amplitude-θ IF neurons)",
    check: (v) => {
      const d = CIFAR_BACKRES_CONV.map(
        (t) => [t, v.get({ stage: 'table-02', topology: t, method: 'conversion' }, 'vth_increasing')] as const,
      );
      return verdict(
        d.every(([, x]) => x === 1),
        d.map(([t, x]) => `${t} ${x === 1 ? 'rising' : 'not rising'}`).join(', '),
      );
    },
  },
  {
    id: 'f7-ee-ratio',
    table: 'Figure 7',
    text: 'VGG2x4 (n=4) has ~1.3× the EE of VGG3x2-v1 (n=2)',
    rule: 'ee(VGG2x4) / ee(VGG3x2-v1) in [1.1, 1.6]',
    check: (v) => {
      const r =
        v.get({ stage: 'figure-07', topology: 'VGG2x4', method: 'conversion' }, 'ee') /
        v.get({ stage: 'figure-07', topology: 'VGG3x2-v1', method: 'conversion' }, 'ee');
      return verdict(r >= 1.1 && r <= 1.6, `ratio ${f(r)}`);
    },
  },
  {
    id: 't4-imagenet-backres',
    table: 'Table 4',
    text: 'VGG11x2 SNN within ~1% of VGG16 SNN at ~2× EE (ImageNet, T=2500)',
    rule: 'accuracy(VGG11x2) >= accuracy(VGG16) - 1.5 and ee(VGG11x2)/ee(VGG16) >= 1.5, conversion at T=2500',
    check: (v) => {
      const s = { stage: 'table-04', method: 'conversion', T: 2500 };
      const da = diff(v.acc({ ...s, topology: 'VGG11x2' }), v.acc({ ...s, topology: 'VGG16' }));
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
            diff(
              v.acc({ stage: 'table-06', topology: t, method: 'ann' }),
              v.acc({ stage: 'table-06', topology: t, method: 'stdp' }),
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
      return outcome(greaterThan(diff(b, a), 0), `ResNet3 ${accText(a)} vs ResNet2 ${accText(b)}`);
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
      return outcome(
        all([greaterThan(diff(a, b), 0), exact(ee >= 5)]),
        `ResNet2x2 ${accText(a)} vs ResNet3 ${accText(b)}; conv EE ${f(ee)}×`,
      );
    },
  },
  {
    id: 't8-agd-near-ann',
    table: 'Table 8',
    text: 'VGG5 and VGG3x2-v2 lose ~2–3% vs ANN at ~15× EE (AGD)',
    rule: 'accuracy(agd) - accuracy(ann) >= -4 (95% interval) and ee(agd) >= 7.5 for VGG5 and VGG3x2-v2',
    check: (v) => {
      const d = ['VGG5', 'VGG3x2-v2'].map(
        (t) =>
          [
            t,
            diff(
              v.acc({ stage: 'table-08', topology: t, method: 'agd' }),
              v.acc({ stage: 'table-08', topology: t, method: 'ann' }),
            ),
            v.get({ stage: 'table-08', topology: t, method: 'agd' }, 'ee'),
          ] as const,
      );
      return outcome(
        all(d.flatMap(([, da, ee]) => [atLeast(da, -4), exact(ee >= 7.5)])),
        d.map(([t, da, ee]) => `${t} ${pm(da)} pts, ${f(ee)}×`).join('; '),
      );
    },
  },
  {
    id: 't8-vgg7-fails',
    table: 'Table 8',
    text: 'VGG7 fails to train with AGD',
    rule: 'accuracy(VGG7 agd) <= 20 (chance is 10; 95% interval), with a positive control: VGG5 agd at the same budget must reach >= 20 and beat VGG7 by >= 10 points, else the budget cannot tell (inconclusive)',
    check: (v) => {
      const a = v.acc({ stage: 'table-08', topology: 'VGG7', method: 'agd' });
      const c = v.acc({ stage: 'table-08', topology: 'VGG5', method: 'agd' });
      const low = atMost(a, 20);
      const control = all([atLeast(c, 20), atLeast(diff(c, a), 10)]);
      const t: Tri = low === 'does not hold' ? 'does not hold' : control !== 'holds' ? 'inconclusive' : low;
      return outcome(
        t,
        `VGG7 agd ${accText(a)}; control VGG5 agd ${accText(c)}${control === 'holds' ? '' : ' (control not decisive)'}`,
      );
    },
  },
  {
    id: 't8-vgg3x4-beats',
    table: 'Table 8',
    text: 'VGG3x4 trains with AGD and beats the VGG7 and VGG3x4 ANNs',
    rule: 'accuracy(VGG3x4 agd) > 20 and its differences to VGG7 ann, VGG3x4 ann and VGG7 agd > 0 (95% intervals)',
    check: (v) => {
      const a = v.acc({ stage: 'table-08', topology: 'VGG3x4', method: 'agd' });
      const o = [
        ['VGG7 ann', v.acc({ stage: 'table-08', topology: 'VGG7', method: 'ann' })],
        ['VGG3x4 ann', v.acc({ stage: 'table-08', topology: 'VGG3x4', method: 'ann' })],
        ['VGG7 agd', v.acc({ stage: 'table-08', topology: 'VGG7', method: 'agd' })],
      ] as const;
      const d = o.map(([k, x]) => [k, diff(a, x)] as const);
      return outcome(
        all([atLeast(a, 20), ...d.map(([, x]) => greaterThan(x, 0))]),
        `VGG3x4 agd ${accText(a)}; minus ${pts(d)}`,
      );
    },
  },
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
            diff(
              v.acc({ stage: 'table-10', topology: 'VGG3', method: 'agd', classifier: 'stochmax', T }),
              v.acc({ stage: 'table-10', topology: 'VGG3', method: 'agd', classifier: 'softmax', T }),
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
            diff(
              v.acc({ stage: 'table-11', topology: t, method: 'agd', classifier: 'stochmax' }),
              v.acc({ stage: 'table-11', topology: t, method: 'agd', classifier: 'softmax' }),
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
      const a = diff(
        v.acc({ stage: 'table-02', topology: 'VGG7', method: 'conversion', classifier: 'stochmax' }),
        v.acc({ stage: 'table-02', topology: 'VGG7', method: 'conversion', classifier: 'softmax' }),
      );
      const b = diff(
        v.acc({ stage: 'table-06', topology: 'ResNet3', method: 'stdp', classifier: 'stochmax' }),
        v.acc({ stage: 'table-06', topology: 'ResNet3', method: 'stdp', classifier: 'softmax' }),
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
        try {
          return [
            [
              t,
              v.acc({ stage: 'table-12', topology: t, method: 'stdp', classifier: 'convnn' }),
              v.acc({ stage: 'table-12', topology: t, method: 'ann', classifier: 'convnn' }),
            ] as const,
          ];
        } catch {
          return [];
        }
      });
      if (!d.length) throw new Missing('table-12 stdp/convnn and ann rows');
      const best = d.reduce((a, b) => (b[1].value > a[1].value ? b : a));
      return outcome(
        all([atLeast(best[1], 75), atMost(diff(best[2], best[1]), 5)]),
        `${best[0]} ${accText(best[1])} (ANN ${accText(best[2])})`,
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
            diff(
              v.acc({ stage, topology: t, method: 'stdp', classifier }),
              v.acc({ stage, topology: t, method: 'random-kernels', classifier }),
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
            diff(
              v.acc({ stage: 'table-06', topology: t, method: 'stdp', classifier: 'softmax' }),
              v.acc({ stage: 'table-06', topology: t, method: 'random-decorrelated' }),
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
      const d = ['VGG9', 'VGG8x2'].map(
        (t) =>
          [
            t,
            v.acc({ stage: 'table-14', topology: t, method: 'hybrid', classifier: 'stochmax' }),
            v.acc({ stage: 'table-14', topology: t, method: 'ann' }),
          ] as const,
      );
      return outcome(
        all(d.flatMap(([, h, a]) => [atLeast(diff(h, a), 0), atLeast(h, 80)])),
        d.map(([t, h, a]) => `${t} ${accText(h)} vs ANN ${f(a.value)} (${pm(diff(h, a))} pts)`).join('; '),
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
      return verdict(a >= 2 && b >= 2 && b > a, `VGG9 ${f(a)}×, VGG8x2 ${f(b)}×`);
    },
  },
  {
    id: 't16-imagenet-hybrid',
    table: 'Table 16',
    text: 'VGG13 hybrid iso-accurate with its ANN at 1.3× EE (ImageNet, T=10)',
    rule: 'accuracy(hybrid) >= accuracy(ann) - 1 and ee(hybrid) >= 1.1',
    check: (v) => {
      const h = v.acc({ stage: 'table-16', topology: 'VGG13', method: 'hybrid' });
      const a = v.acc({ stage: 'table-16', topology: 'VGG13', method: 'ann' });
      const ee = v.get({ stage: 'table-16', topology: 'VGG13', method: 'hybrid' }, 'ee');
      return outcome(
        all([atLeast(diff(h, a), -1), exact(ee >= 1.1)]),
        `${accText(h)} vs ANN ${f(a.value)} (${pm(diff(h, a))} pts), ${f(ee)}×`,
      );
    },
  },
  {
    id: 'overall-backres-ee',
    table: 'overall',
    text: 'BackRes: ~10–100× EE over ANN',
    rule: 'ee in [10, 100] for every BackRes SNN row found (VGG2x4, VGG3x2-v1 conversion; VGG3x2-v2, VGG3x4 agd)',
    check: (v) => {
      const sels: Array<[string, Selector]> = [
        ['VGG2x4', { stage: 'table-02', topology: 'VGG2x4', method: 'conversion' }],
        ['VGG3x2-v1', { stage: 'table-02', topology: 'VGG3x2-v1', method: 'conversion' }],
        ['VGG3x2-v2', { stage: 'table-08', topology: 'VGG3x2-v2', method: 'agd' }],
        ['VGG3x4', { stage: 'table-08', topology: 'VGG3x4', method: 'agd' }],
      ];
      const d = sels.flatMap(([t, s]) => {
        try {
          return [[t, v.get(s, 'ee')] as const];
        } catch {
          return [];
        }
      });
      if (!d.length) throw new Missing('BackRes SNN rows with ee (table-02, table-08)');
      return verdict(
        d.every(([, x]) => x >= 10 && x <= 100),
        d.map(([t, x]) => `${t} ${f(x)}×`).join(', '),
      );
    },
  },
  {
    id: 'overall-backres-vs-full-depth',
    table: 'overall',
    text: 'BackRes: ~1.8–3.5× lower energy than the full-depth SNN',
    rule: 'energy_uJ(VGG7 agd) / energy_uJ(VGG3x4 agd) >= 1.5 (table-08)',
    check: (v) => {
      const r =
        v.get({ stage: 'table-08', topology: 'VGG7', method: 'agd' }, 'energy_uJ') /
        v.get({ stage: 'table-08', topology: 'VGG3x4', method: 'agd' }, 'energy_uJ');
      return verdict(r >= 1.5, `ratio ${f(r)}`);
    },
  },
];

export interface ClaimResult {
  claim: Claim;
  profile: string;
  status: ClaimStatus;
  detail: string;
  /** The result rows the check looked up. */
  rows: Array<{ stage: string; rowId: string }>;
}

export function evaluateClaims(
  results: readonly ResultRecord[],
  profile: string,
  claims: readonly Claim[] = CLAIMS,
): ClaimResult[] {
  const v = new ResultsView(results, profile);
  return claims.map((claim) => {
    try {
      const o = claim.check(v);
      return { claim, profile, ...o, rows: v.takeUsed() };
    } catch (e) {
      const rows = v.takeUsed();
      if (e instanceof Missing)
        return { claim, profile, status: 'not run' as const, detail: `missing ${e.message}`, rows };
      return { claim, profile, status: 'not run' as const, detail: `check error: ${(e as Error).message}`, rows };
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
      "Accuracy comparisons are judged on 95% intervals (binomial over the row's test images, plus the seeds' spread where a row averages seeds; unpaired, so conservative): " +
      'a claim holds or fails only when the whole interval does, and is inconclusive when the interval straddles the bound. ' +
      'A claim is "not run" when a row it needs has no result under this profile. The tolerance we read into "~" is in the rule column; checks are in pipelines/report/src/claims.ts.',
    '',
    `| id | paper | claim | rule | ${profile} | detail |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...evaluated.map(
      (e) =>
        `| ${e.claim.id} | ${e.claim.table} | ${esc(e.claim.text)} | ${esc(e.claim.rule)} | **${e.status}** | ${esc(e.detail)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
