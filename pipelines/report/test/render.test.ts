import { describe, expect, it } from 'vitest';
import type { ResultRecord, SeriesRecord } from '@snn/reporting';
import { accuracyVsTSpec, figure7Spec, renderSvg, stdpVsRandomSpec } from '../src/figures.js';
import { parseRowComment, renderStageTable } from '../src/markdown.js';
import { resultRecord as rec } from '@snn/reporting/testing';

describe('stage Markdown', () => {
  const rows = [
    { id: 'vgg5-agd', hash: 'h1', topology: 'VGG5', method: 'agd', T: 25, paper: { accuracy: 88.1 } },
    { id: 'vgg7-agd', hash: 'h2', topology: 'VGG7', method: 'agd', T: 25, paper: { accuracy: 'fails to train' } },
    { id: 'vgg3x4-agd', hash: 'h3', topology: 'VGG3x4', method: 'agd', T: 25 },
    { id: 'vgg16', hash: 'h4', topology: 'VGG16', method: 'conversion', T: 2500, skip: 'needs ImageNet' },
    { id: 'vgg3x2-agd', hash: 'h5', topology: 'VGG3x2-v2', method: 'agd', T: 25 },
  ];
  const results = [
    rec({ rowId: 'vgg5-agd', configHash: 'h1', topology: 'VGG5', value: 61.234, reconstructed: true }),
    rec({ rowId: 'vgg7-agd', configHash: 'h2', topology: 'VGG7', value: 10.0 }),
    rec({ rowId: 'vgg3x4-agd', configHash: 'h3', metric: 'status', value: null, status: 'failed', error: 'NaN loss' }),
    rec({ rowId: 'vgg3x2-agd', configHash: 'OLD', value: 70 }), // stale hash: not shown
    rec({ rowId: 'vgg5-agd', configHash: 'h1', profile: 'smoke', value: 99 }), // other profile: not shown
  ];
  const md = renderStageTable({
    stage: 'table-08',
    title: 'Table 8: AGD',
    profile: 'quick',
    profileDescription: 'laptop',
    rows,
    results,
  });
  const line = (id: string): string => md.split('\n').find((l) => l.startsWith(`| ${id} `))!;

  it('shows the paper and ours side by side, with profile, engine, provenance', () => {
    expect(md).toContain('| accuracy (%) paper | accuracy (%) ours |');
    expect(line('vgg5-agd')).toContain('| 88.10 | 61.23 |');
    expect(line('vgg7-agd')).toContain('| fails to train | 10.00 |');
    expect(md).toContain('Profile: **quick**');
    expect(md).toContain('Engine: wasm@4.22.0+simd');
    expect(parseRowComment(line('vgg5-agd'))).toEqual({
      stage: 'table-08',
      row: 'vgg5-agd',
      hash: 'h1',
      profile: 'quick',
    });
    expect(line('vgg5-agd')).toContain('VGG5†');
    expect(md).toContain('reconstructed topology');
  });

  it('says failed / not run / needs ImageNet instead of a number', () => {
    expect(line('vgg3x4-agd')).toMatch(/\| failed: NaN loss \|$/);
    expect(line('vgg16')).toMatch(/\| needs ImageNet \|$/);
    expect(line('vgg3x2-agd')).toMatch(/\| not run \|$/);
  });
});

describe("compact stage tables: the paper's columns first, run details after", () => {
  const rows = [
    {
      id: 'vgg5-agd',
      hash: 'h1',
      topology: 'VGG5',
      method: 'agd',
      coding: 'poisson',
      T: 25,
      paper: { accuracy: 88.1, ee: '~15x' },
    },
    { id: 'vgg5-ann', hash: 'h2', topology: 'VGG5', method: 'ann', coding: 'poisson' },
  ];
  const results = [
    rec({ rowId: 'vgg5-agd', configHash: 'h1', topology: 'VGG5', value: 30.5, reconstructed: true }),
    rec({ rowId: 'vgg5-agd', configHash: 'h1', topology: 'VGG5', metric: 'ee', unit: 'x', value: 4.5 }),
    rec({
      rowId: 'vgg5-agd',
      configHash: 'h1',
      topology: 'VGG5',
      metric: 'unique_params',
      unit: 'count',
      value: 263640,
    }),
    rec({ rowId: 'vgg5-agd', configHash: 'h1', topology: 'VGG5', metric: 'samples_per_s', unit: 'img/s', value: 41.7 }),
    rec({ rowId: 'vgg5-agd', configHash: 'h1', topology: 'VGG5', metric: 'train_samples', unit: 'count', value: 5000 }),
    rec({ rowId: 'vgg5-ann', configHash: 'h2', topology: 'VGG5', method: 'ann', value: 35 }),
  ];
  const md = renderStageTable({ stage: 'table-08', title: 'Table 8', profile: 'quick', rows, results });
  const lines = md.split('\n');
  const firstHeader = lines.find((l) => l.startsWith('| row'))!;

  it('first table: row, topology, the attributes that vary, accuracy and EE paper | ours, unique parameters', () => {
    expect(firstHeader).toBe(
      '| row | topology | method | T | accuracy (%) paper | accuracy (%) ours | ee (x) paper | ee (x) ours | unique_params ours |',
    );
    expect(lines.find((l) => l.startsWith('| vgg5-agd <!--'))).toMatch(
      /\| VGG5† \| agd \| 25 \| 88.10 \| 30.50 \| ~15x \| 4.50 \| 263,640 \|$/,
    );
    expect(md).toContain('Every row: coding poisson.');
    expect(md).toContain("These are `quick` numbers, not the paper's setting");
  });

  it('second section: the run details, ours only, without provenance comments', () => {
    const at = lines.indexOf('## Training and run details (ours)');
    expect(at).toBeGreaterThan(lines.indexOf(firstHeader));
    expect(lines[at + 2]).toBe('| row | samples_per_s (img/s) | train_samples |');
    expect(lines[at + 4]).toBe('| vgg5-agd | 41.7 | 5,000 |');
    expect(firstHeader).not.toContain('samples_per_s');
    expect(lines.slice(at).some((l) => l.includes('<!--'))).toBe(false);
  });
});

describe('accuracy with its interval', () => {
  it('shows accuracy ± the 95% interval from test_samples (and seeds), and says what the interval is', () => {
    const rows = [
      { id: 'a', hash: 'h1', topology: 'VGG5', method: 'agd', T: 25 },
      { id: 'b', hash: 'h2', topology: 'VGG5', method: 'ann' },
    ];
    const results = [
      rec({ rowId: 'a', configHash: 'h1', topology: 'VGG5', value: 40 }),
      rec({ rowId: 'a', configHash: 'h1', topology: 'VGG5', metric: 'test_samples', unit: 'count', value: 1000 }),
      rec({ rowId: 'b', configHash: 'h2', topology: 'VGG5', method: 'ann', value: 35 }),
    ];
    const md = renderStageTable({ stage: 'table-08', title: 'Table 8', profile: 'quick', rows, results });
    // 1.96 * 100 * sqrt(0.4 * 0.6 / 1000) = 3.04
    expect(md.split('\n').find((l) => l.startsWith('| a <!--'))).toContain('| 40.00 ± 3.04 |');
    expect(md.split('\n').find((l) => l.startsWith('| b <!--'))).toContain('| 35.00 |'); // no n: no interval claimed
    expect(md).toContain('accuracy ± its 95% interval');
  });
});

describe('figures', () => {
  it('renders Figure 7 to SVG in Node: EE bars, and our ratio beside the paper value drawn as a rule', async () => {
    const fig = [
      rec({ table: 'figure-07', metric: 'ee', unit: 'x', topology: 'VGG2x4', method: 'conversion', value: 13 }),
      rec({
        table: 'figure-07',
        metric: 'ee',
        unit: 'x',
        topology: 'VGG3x2-v1',
        method: 'conversion',
        value: 10,
        rowId: 'y',
      }),
    ];
    const svg = await renderSvg(figure7Spec(fig)!);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('VGG2x4');
    expect(svg).not.toContain('paper ~');
    const withRatio = await renderSvg(
      figure7Spec([
        ...fig,
        rec({
          table: 'figure-07',
          metric: 'ee_ratio',
          unit: 'x',
          topology: 'VGG2x4',
          method: 'conversion',
          value: 1.3 / 1.25,
          paper: 1.3,
        }),
      ])!,
    );
    expect(withRatio).toContain('paper ~1.3×');
    expect(withRatio).toContain('VGG2x4 EE / VGG3x2-v1 EE');
    expect(figure7Spec([])).toBeUndefined();
  });

  it('draws accuracy vs T per stage, with a measured curve where a row has one, and the rows as points', async () => {
    const rows = [32, 64, 128].map((T) =>
      rec({ table: 'table-02', rowId: `c${T}`, topology: 'VGG7', method: 'conversion', T, value: T / 4 }),
    );
    const agd = rec({ table: 'table-08', rowId: 'a', topology: 'VGG5', method: 'agd', T: 25, value: 30 });
    const curve: SeriesRecord[] = [1, 2, 4, 8, 16, 32, 64, 128].map((t) => ({
      table: 'table-02',
      rowId: 'c128',
      configHash: 'h',
      profile: 'quick',
      topology: 'VGG7',
      method: 'conversion',
      classifier: null,
      T: 128,
      series: 'accuracy_vs_t',
      x: t,
      y: t / 4,
    }));
    const agd2 = rec({ table: 'table-08', rowId: 'b', topology: 'VGG5', method: 'agd', T: 50, value: 31 });
    const lone = rec({ table: 'table-14', rowId: 'h', topology: 'VGG9', method: 'hybrid', T: 25, value: 30 }); // one T: no panel
    const spec = accuracyVsTSpec([...rows, agd, agd2, lone], curve) as unknown as {
      data: { values: Array<{ stage: string; series: string; T: number; kind: string }> };
    };
    const v = spec.data.values;
    expect(v.filter((p) => p.kind === 'line' && p.series === 'VGG7 conversion').map((p) => p.T)).toEqual([
      1, 2, 4, 8, 16, 32, 64, 128,
    ]);
    expect(v.filter((p) => p.kind === 'line' && p.series === 'VGG5 agd').map((p) => p.T)).toEqual([25, 50]);
    expect(v.filter((p) => p.kind === 'row').map((p) => p.T)).toEqual([32, 64, 128, 25, 50]);
    expect(v.some((p) => p.stage === 'table-14')).toBe(false);
    expect(accuracyVsTSpec([lone])).toBeUndefined();
  });

  it('draws STDP vs random kernels per table with the seed sd as whiskers', async () => {
    const r = (table: string, method: string, value: number, sd: number | null, h: string): ResultRecord[] => [
      rec({
        table,
        rowId: `${method}-${h}`,
        configHash: h,
        topology: 'ResNet2',
        method,
        classifier: table === 'table-12' ? 'convnn' : 'softmax',
        value,
      }),
      ...(sd === null
        ? []
        : [
            rec({
              table,
              rowId: `${method}-${h}`,
              configHash: h,
              topology: 'ResNet2',
              method,
              metric: 'accuracy_sd',
              value: sd,
            }),
          ]),
    ];
    const spec = stdpVsRandomSpec([
      ...r('table-06', 'stdp', 42, 1.5, 'a'),
      ...r('table-06', 'random-kernels', 40, 0.5, 'b'),
      ...r('table-12', 'ann', 35, null, 'c'),
      rec({ table: 'table-08', topology: 'VGG5', method: 'agd', value: 60 }),
    ]) as unknown as { data: { values: Array<{ method: string; lo: number; hi: number }> } };
    const vals = spec.data.values;
    expect(vals.map((v) => v.method)).toEqual(['stdp', 'random-kernels', 'ann']);
    expect([vals[0].lo, vals[0].hi]).toEqual([40.5, 43.5]);
    expect([vals[2].lo, vals[2].hi]).toEqual([35, 35]);
    const svg = await renderSvg(spec as never);
    expect(svg).toContain('Table 6 (FC head)');
    expect(stdpVsRandomSpec([])).toBeUndefined();
  });
});
