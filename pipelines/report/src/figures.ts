/**
 * Vega-Lite specs for the paper's figures, with the data inlined so each .vl.json is
 * self-contained, and SVG rendering in Node (vega is ESM only; renderer 'none' needs no canvas).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ActivityRecord, ResultRecord, SeriesRecord } from '@snn/reporting';

const label = (r: ResultRecord): string =>
  [
    r.topology ?? r.rowId,
    r.method,
    r.classifier && r.classifier !== 'softmax' ? r.classifier : null,
    r.T !== null ? `T=${r.T}` : null,
  ]
    .filter(Boolean)
    .join(' ');

function ok(results: readonly ResultRecord[], metric: string): ResultRecord[] {
  return results.filter(
    (r) => r.metric === metric && r.status === 'ok' && r.value !== null && Number.isFinite(r.value),
  );
}

/** A bar per row of any numeric metric (e.g. unique parameters per topology). */
export function metricBarSpec(
  results: readonly ResultRecord[],
  metric: string,
  title: string,
  logScale = false,
): TopLevelSpec | undefined {
  const rows = ok(results, metric).map((r) => ({ net: r.topology ?? r.rowId, value: r.value }));
  if (!rows.length) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 220,
    data: { values: rows },
    mark: 'bar',
    encoding: {
      x: { field: 'net', type: 'nominal', sort: null, title: null },
      y: { field: 'value', type: 'quantitative', title: metric, scale: logScale ? { type: 'log' } : {} },
    },
  };
}

/**
 * Accuracy vs simulation steps T: one panel per stage that has rows at two or more T, one line per
 * net/method/classifier, the rows' own T as points. Where a row measured the whole curve (series
 * 'accuracy_vs_t': a converted SNN read out at every power of 2 of its one T_max-step simulation),
 * the line follows that curve up to T_max.
 */
export function accuracyVsTSpec(
  results: readonly ResultRecord[],
  curves: readonly SeriesRecord[] = [],
): TopLevelSpec | undefined {
  // a row id ending in -t<T> names its series without the T (ext-surrogates: vgg5-dspike-t10 -> vgg5-dspike,
  // which the topology/method/classifier fields alone would merge with vgg5-pwl)
  const name = (r: {
    rowId: string;
    topology: string | null;
    method: string | null;
    classifier: string | null;
  }): string =>
    /-t\d+$/.test(r.rowId)
      ? r.rowId.replace(/-t\d+$/, '')
      : [r.topology, r.method, r.classifier].filter(Boolean).join(' ');
  const points = ok(results, 'accuracy')
    .filter((r) => r.T !== null)
    .map((r) => ({ stage: r.table, series: name(r), T: r.T as number, accuracy: r.value as number, kind: 'row' }));
  const curve = curves
    .filter((c) => c.series === 'accuracy_vs_t')
    .map((c) => ({ stage: c.table, series: name(c), T: c.x, accuracy: c.y, kind: 'line' }));
  const Ts = new Map<string, Set<number>>();
  for (const p of [...points, ...curve]) (Ts.get(p.stage) ?? Ts.set(p.stage, new Set()).get(p.stage)!).add(p.T);
  const many = (p: { stage: string }): boolean => (Ts.get(p.stage)?.size ?? 0) >= 2;
  const rows = points.filter(many);
  if (!rows.length) return undefined;
  const curved = new Set(curve.map((c) => `${c.stage}\0${c.series}`));
  const line = [
    ...curve.filter(many),
    ...rows.filter((p) => !curved.has(`${p.stage}\0${p.series}`)).map((p) => ({ ...p, kind: 'line' })),
  ];
  const enc = {
    x: { field: 'T', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'T (time steps)' },
    y: { field: 'accuracy', type: 'quantitative' as const, title: 'accuracy (%)' },
    color: {
      field: 'series',
      type: 'nominal' as const,
      title: null,
      legend: { orient: 'bottom' as const, columns: 1, labelLimit: 220 },
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title:
      'Accuracy vs time steps T (lines: conversion read out at every power of 2 up to T_max; points: the table rows)',
    data: { values: [...line, ...rows] },
    facet: { field: 'stage', type: 'nominal', title: null },
    columns: 3,
    spec: {
      width: 220,
      height: 160,
      layer: [
        { transform: [{ filter: "datum.kind === 'line'" }], mark: { type: 'line' }, encoding: enc },
        {
          transform: [{ filter: "datum.kind === 'row'" }],
          mark: { type: 'point', filled: true },
          encoding: { ...enc, tooltip: [{ field: 'series' }, { field: 'T' }, { field: 'accuracy', format: '.1f' }] },
        },
      ],
    },
    resolve: { scale: { color: 'independent', y: 'independent' } },
  } as TopLevelSpec;
}

/**
 * Figure 7: EE of each converted net (bars), and the one number the paper's text gives, VGG2x4's
 * EE over VGG3x2-v1's, beside ours with the paper's value drawn as a rule (read from the record's
 * `paper`, never typed in here).
 */
export function figure7Spec(results: readonly ResultRecord[]): TopLevelSpec | undefined {
  const bars = ok(results, 'ee').map((r) => ({ net: label(r), ee: r.value }));
  if (!bars.length) return undefined;
  const ratio = ok(results, 'ee_ratio')[0];
  const left = {
    title: 'EE per converted net (ours)',
    width: 240,
    height: 220,
    data: { values: bars },
    mark: 'bar' as const,
    encoding: {
      x: { field: 'net', type: 'nominal' as const, sort: null, title: null },
      y: { field: 'ee', type: 'quantitative' as const, title: 'EE (×)' },
      tooltip: [{ field: 'net' }, { field: 'ee', format: '.2f' }],
    },
  };
  if (!ratio)
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      ...left,
      title: 'Figure 7: energy efficiency per network',
    };
  const vals = [{ who: 'ours', ratio: ratio.value }];
  const right = {
    title: `${ratio.topology ?? ratio.rowId} EE / VGG3x2-v1 EE`,
    width: 120,
    height: 220,
    layer: [
      {
        data: { values: vals },
        mark: 'bar' as const,
        encoding: {
          x: { field: 'who', type: 'nominal' as const, title: null },
          y: { field: 'ratio', type: 'quantitative' as const, title: 'ratio (×)' },
          tooltip: [{ field: 'ratio', format: '.2f' }],
        },
      },
      ...(ratio.paper !== null
        ? [
            {
              data: { values: [{ paper: ratio.paper }] },
              mark: { type: 'rule' as const, strokeDash: [4, 3], color: 'black' },
              encoding: { y: { field: 'paper', type: 'quantitative' as const } },
            },
            {
              data: { values: [{ paper: ratio.paper, text: `paper ~${ratio.paper}×` }] },
              mark: { type: 'text' as const, align: 'left' as const, dx: -55, dy: -7 },
              encoding: { y: { field: 'paper', type: 'quantitative' as const }, text: { field: 'text' } },
            },
          ]
        : []),
    ],
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Figure 7: energy efficiency per network',
    hconcat: [left, right],
  } as TopLevelSpec;
}

/**
 * Tables 6 and 12: STDP features against random frozen kernels (and the η = 0 control, and the
 * ANN) with the same head, per topology; whiskers = ± the sd over seeds where rows were repeated.
 */
export function stdpVsRandomSpec(results: readonly ResultRecord[]): TopLevelSpec | undefined {
  const sd = new Map(ok(results, 'accuracy_sd').map((r) => [`${r.table}/${r.configHash}`, r.value as number]));
  const rows = ok(results, 'accuracy')
    .filter((r) => (r.table === 'table-06' && r.classifier !== 'stochmax') || r.table === 'table-12')
    .map((r) => {
      const d = sd.get(`${r.table}/${r.configHash}`) ?? 0;
      const v = r.value as number;
      return {
        table: r.table === 'table-06' ? 'Table 6 (FC head)' : 'Table 12 (ConvNN head)',
        net: r.topology ?? r.rowId,
        method: r.method ?? '',
        accuracy: v,
        lo: v - d,
        hi: v + d,
        sd: d,
      };
    });
  if (!rows.length) return undefined;
  const x = { field: 'net', type: 'nominal', sort: null, title: null } as const;
  const xOffset = {
    field: 'method',
    type: 'nominal',
    sort: ['stdp', 'random-kernels', 'random-decorrelated', 'ann'],
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'STDP features vs random frozen kernels, same head (mean ± sd over seeds)',
    data: { values: rows },
    facet: { column: { field: 'table', type: 'nominal', title: null } },
    spec: {
      width: 300,
      height: 220,
      layer: [
        {
          mark: 'bar',
          encoding: {
            x,
            xOffset,
            y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy (%)' },
            color: { field: 'method', type: 'nominal', sort: ['stdp', 'random-kernels', 'random-decorrelated', 'ann'] },
            tooltip: [
              { field: 'net' },
              { field: 'method' },
              { field: 'accuracy', format: '.2f' },
              { field: 'sd', format: '.2f' },
            ],
          },
        },
        { mark: 'rule', encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    },
  } as TopLevelSpec;
}

/** Accuracy vs SNN energy per image: joins the two metrics of each row by config hash. */
export function accuracyVsEnergySpec(results: readonly ResultRecord[]): TopLevelSpec | undefined {
  const energy = new Map(ok(results, 'energy_uJ').map((r) => [`${r.table}/${r.configHash}`, r.value as number]));
  const rows = ok(results, 'accuracy').flatMap((r) => {
    const e = energy.get(`${r.table}/${r.configHash}`);
    return e === undefined ? [] : [{ net: label(r), method: r.method ?? '', energy_uJ: e, accuracy: r.value }];
  });
  if (!rows.length) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Accuracy vs energy per image',
    width: 520,
    height: 320,
    data: { values: rows },
    encoding: {
      x: {
        field: 'energy_uJ',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'energy per image (µJ); ANN rows = the ANN reference',
      },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)' },
      color: { field: 'method', type: 'nominal' },
      tooltip: [{ field: 'net' }, { field: 'energy_uJ', format: '.3g' }, { field: 'accuracy', format: '.2f' }],
    },
    layer: [
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { shape: { field: 'method', type: 'nominal' } } },
      {
        mark: { type: 'text', align: 'left', dx: 6, dy: -4, fontSize: 9 },
        encoding: { text: { field: 'net' }, color: { value: '#444' } },
      },
    ],
  } as TopLevelSpec;
}

/** Spike activity per layer and per BackRes unroll step (mean over the window), one panel per row. */
export function activitySpec(activity: readonly ActivityRecord[], stage: string): TopLevelSpec | undefined {
  const rows = activity
    .filter((a) => a.table === stage && a.step === null)
    .map((a) => ({ row: a.rowId, layer: a.layer, unroll: `n=${a.unrollStep}`, rate: a.rate }));
  if (!rows.length) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Spike activity per layer and unroll step (${stage})`,
    data: { values: rows },
    facet: { row: { field: 'row', type: 'nominal', title: null } },
    // each row's layers in its own topology's order (records come in layer order), not one shared axis
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 360,
      height: 120,
      mark: 'bar',
      encoding: {
        x: { field: 'layer', type: 'nominal', sort: null },
        xOffset: { field: 'unroll', type: 'nominal' },
        y: { field: 'rate', type: 'quantitative', title: 'spikes / neuron / step' },
        color: { field: 'unroll', type: 'nominal', title: 'unroll step' },
      },
    },
  };
}

/** Claim verdicts per paper table (stacked counts of holds / does not hold / inconclusive / not run). */
export function claimsSpec(
  claims: ReadonlyArray<{ claim: { table: string }; status: string }>,
  title: string,
): TopLevelSpec | undefined {
  if (!claims.length) return undefined;
  const order = ['holds', 'does not hold', 'inconclusive', 'not run'];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 220,
    data: { values: claims.map((c) => ({ table: c.claim.table, verdict: c.status })) },
    mark: 'bar',
    encoding: {
      x: { field: 'table', type: 'nominal', sort: null, title: null },
      y: { aggregate: 'count', type: 'quantitative', title: 'claims' },
      color: {
        field: 'verdict',
        type: 'nominal',
        sort: order,
        scale: { domain: order, range: ['#059669', '#dc2626', '#d97706', '#9ca3af'] },
      },
      order: { field: 'verdict', sort: 'descending' },
      tooltip: [{ field: 'table' }, { field: 'verdict' }, { aggregate: 'count', title: 'claims' }],
    },
  } as TopLevelSpec;
}

/** Every figure says the profile it was computed at (and that a quick/smoke figure is not the paper's). */
export function withProfile(spec: TopLevelSpec, profile: string): TopLevelSpec {
  const t = spec.title;
  const text =
    typeof t === 'string' ? t : Array.isArray(t) ? t.join(' ') : ((t as { text?: string } | undefined)?.text ?? '');
  const subtitle = profile === 'paper' ? 'profile: paper' : `profile: ${profile} (not the paper's setting)`;
  return { ...spec, title: { text, subtitle } } as TopLevelSpec;
}

/** Render a Vega-Lite spec to SVG text in Node (deterministic; ~50 ms a chart). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
