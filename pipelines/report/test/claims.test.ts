import { describe, expect, it } from 'vitest';
import type { ResultRecord, SeriesRecord } from '@snn/reporting';
import { claimsMarkdown, evaluateClaims } from '../src/claims.js';
import { resultRecord as rec } from '@snn/reporting/testing';

describe('claims', () => {
  const base = (topology: string, method: string, value: number, extra: Partial<ResultRecord> = {}): ResultRecord =>
    rec({ rowId: `${topology}-${method}`, topology, method, value, ...extra });
  const t8 = [
    base('VGG3x4', 'agd', 80),
    base('VGG7', 'ann', 75),
    base('VGG3x4', 'ann', 70),
    base('VGG7', 'agd', 10),
    base('VGG5', 'agd', 60),
  ];
  const get = (results: ResultRecord[], id: string, profile = 'quick') =>
    evaluateClaims(results, profile).find((c) => c.claim.id === id)!;

  it('evaluates holds / does not hold / not run', () => {
    expect(get(t8, 't8-vgg3x4-beats').status).toBe('holds');
    expect(get(t8, 't8-vgg7-fails').status).toBe('holds');
    const worse = t8.map((r) => (r.topology === 'VGG7' && r.method === 'ann' ? { ...r, value: 85 } : r));
    expect(get(worse, 't8-vgg3x4-beats').status).toBe('does not hold');
    expect(get(t8, 't8-vgg3x4-beats', 'smoke').status).toBe('not run'); // other profile
    expect(get(t8.slice(1), 't8-vgg3x4-beats')).toMatchObject({
      status: 'not run',
      detail: expect.stringContaining('VGG3x4'),
    });
    const failed = [
      ...t8.slice(1),
      rec({ rowId: 'VGG3x4-agd', topology: 'VGG3x4', method: 'agd', metric: 'status', value: null, status: 'failed' }),
    ];
    expect(get(failed, 't8-vgg3x4-beats').status).toBe('not run');
  });

  it('judges accuracy comparisons on their 95% intervals: inconclusive inside the noise', () => {
    // n images: the per-row metric test_samples; a difference of d points on n = 1000 per row
    const withN = (rs: ResultRecord[], n: number): ResultRecord[] =>
      rs.flatMap((r) =>
        r.metric === 'accuracy' ? [r, { ...r, metric: 'test_samples', value: n, unit: 'count' }] : [r],
      );
    const t11 = (gain: number): ResultRecord[] =>
      ['VGG5', 'VGG3x2-v2'].flatMap((t) => [
        rec({
          table: 'table-11',
          rowId: `${t}-s`,
          topology: t,
          method: 'agd',
          classifier: 'stochmax',
          value: 40 + gain,
        }),
        rec({ table: 'table-11', rowId: `${t}-m`, topology: t, method: 'agd', classifier: 'softmax', value: 40 }),
      ]);
    // rule: stochmax - softmax >= 2. At n = 1000, p = 0.4: se of a difference ~ 2.2 pts, 95% half-width ~ 4.3
    expect(get(withN(t11(2.5), 1000), 't11-stochmax-gain').status).toBe('inconclusive');
    expect(get(withN(t11(9), 1000), 't11-stochmax-gain').status).toBe('holds');
    expect(get(withN(t11(-4), 1000), 't11-stochmax-gain').status).toBe('does not hold');
    expect(get(withN(t11(2.5), 1000), 't11-stochmax-gain').detail).toMatch(/VGG5 \+2\.50 ± 4\.3\d pts/);
    // the same gain without a noise model (no test_samples) is read as measured
    expect(get(t11(2.5), 't11-stochmax-gain').status).toBe('holds');
    // seeds: a row that averages k seeds adds sd^2 / k
    const seeded = withN(t11(9), 1000).flatMap((r) =>
      r.metric === 'accuracy' && r.classifier === 'stochmax'
        ? [r, { ...r, metric: 'accuracy_sd', value: 12, unit: '%' }, { ...r, metric: 'seeds', value: 3, unit: 'count' }]
        : [r],
    );
    expect(get(seeded, 't11-stochmax-gain').status).toBe('inconclusive');
  });

  it('pairs rows that recorded each test image: the same gain is decided where the unpaired interval cannot tell', () => {
    const n = 1000;
    const row = (t: string, classifier: string, value: number): ResultRecord[] => {
      const r = rec({
        table: 'table-11',
        rowId: `${t}-${classifier}`,
        topology: t,
        method: 'agd',
        classifier,
        T: 25,
        value,
      });
      return [r, { ...r, metric: 'test_samples', value: n, unit: 'count' }];
    };
    const results = ['VGG5', 'VGG3x2-v2'].flatMap((t) => [...row(t, 'stochmax', 44), ...row(t, 'softmax', 40)]);
    // softmax right on images 0..399; stochmax also on 400..439 (a pure gain of 40 images)
    const series = ['VGG5', 'VGG3x2-v2'].flatMap((t) =>
      (['stochmax', 'softmax'] as const).flatMap((c) =>
        Array.from({ length: n }, (_, i): SeriesRecord => ({
          table: 'table-11',
          rowId: `${t}-${c}`,
          configHash: 'h',
          profile: 'quick',
          topology: t,
          method: 'agd',
          classifier: c,
          T: 25,
          series: 'correct',
          x: i,
          y: i < (c === 'stochmax' ? 440 : 400) ? 1 : 0,
        })),
      ),
    );
    const unpaired = evaluateClaims(results, 'quick').find((c) => c.claim.id === 't11-stochmax-gain')!;
    expect(unpaired.status).toBe('inconclusive'); // +4 ± 4.3
    const paired = evaluateClaims(results, 'quick', undefined, series).find((c) => c.claim.id === 't11-stochmax-gain')!;
    expect(paired.status).toBe('holds');
    expect(paired.detail).toMatch(/VGG5 \+4\.00 \[\+\d\.\d\d, \+\d\.\d\d\] paired pts/);
    expect(paired.basis).toBe('T 25 · 1000 test images · 1 seed');
    // records of other images (or that do not reproduce the accuracy) are not paired
    const shifted = series.map((c) => (c.classifier === 'softmax' ? { ...c, x: c.x + 1 } : c));
    expect(
      evaluateClaims(results, 'quick', undefined, shifted).find((c) => c.claim.id === 't11-stochmax-gain')!.status,
    ).toBe('inconclusive');
  });

  it('EE claims list every T with its verdict and implied input rate', () => {
    const conv = (t: string, T: number, ee: number) =>
      rec({
        table: 'table-02',
        rowId: `${t}-t${T}`,
        topology: t,
        method: 'conversion',
        T,
        metric: 'ee',
        value: ee,
        unit: 'x',
      });
    const results = ['VGG2x4', 'VGG3x2-v1'].flatMap((t) => [conv(t, 32, 16), conv(t, 128, 4)]);
    const c = evaluateClaims(results, 'quick').find((x) => x.claim.id === 't2-backres-ee')!;
    expect(c.status).toBe('does not hold'); // judged at the largest T
    expect(c.detail).toContain('T=32 16.00× ✓ (r̄ 0.063), T=128 4.00× ✗ (r̄ 0.063)');
    expect(c.basis).toBe('T 32, 128 · 1 seed');
  });

  it('"VGG7 fails to train" needs its positive control: VGG5 at the same budget trains', () => {
    expect(get(t8, 't8-vgg7-fails').status).toBe('holds');
    const noControl = t8.map((r) => (r.topology === 'VGG5' ? { ...r, value: 14 } : r));
    expect(get(noControl, 't8-vgg7-fails')).toMatchObject({
      status: 'inconclusive',
      detail: expect.stringContaining('control not decisive'),
    });
    const trains = t8.map((r) => (r.topology === 'VGG7' && r.method === 'agd' ? { ...r, value: 45 } : r));
    expect(get(trains, 't8-vgg7-fails').status).toBe('does not hold');
    expect(
      get(
        t8.filter((r) => r.topology !== 'VGG5'),
        't8-vgg7-fails',
      ).status,
    ).toBe('not run');
  });

  it('stochmax > softmax at every T needs all three T', () => {
    const t10 = [5, 10, 25].flatMap((T) => [
      rec({ table: 'table-10', topology: 'VGG3', method: 'agd', classifier: 'stochmax', T, value: 50 + T }),
      rec({ table: 'table-10', topology: 'VGG3', method: 'agd', classifier: 'softmax', T, value: 49 + T }),
    ]);
    expect(get(t10, 't10-stochmax-every-t').status).toBe('holds');
    expect(get(t10.slice(0, 4), 't10-stochmax-every-t').status).toBe('not run');
    t10[5] = { ...t10[5], value: 99 };
    expect(get(t10, 't10-stochmax-every-t').status).toBe('does not hold');
  });

  it('reads the hybrid rows with their stochmax head, and STDP against random kernels per head', () => {
    const t14 = ['VGG9', 'VGG8x2'].flatMap((t) => [
      rec({ table: 'table-14', topology: t, method: 'hybrid', classifier: 'stochmax', value: 86 }),
      rec({ table: 'table-14', topology: t, method: 'ann', classifier: 'softmax', value: 84 }),
    ]);
    expect(get(t14, 't14-hybrid').status).toBe('holds');
    const stdp = (gain: number): ResultRecord[] =>
      (['table-06', 'table-12'] as const).flatMap((table) =>
        ['ResNet2', 'ResNet3', 'ResNet2x2'].flatMap((t) => {
          const classifier = table === 'table-12' ? 'convnn' : 'softmax';
          return [
            rec({ table, topology: t, method: 'stdp', classifier, value: 40 + gain }),
            rec({ table, topology: t, method: 'random-kernels', classifier, value: 40 }),
          ];
        }),
      );
    expect(get(stdp(2), 't6-t12-stdp-beats-random').status).toBe('holds');
    expect(get(stdp(-2), 't6-t12-stdp-beats-random').status).toBe('does not hold');
    const control = (gain: number): ResultRecord[] =>
      ['ResNet2', 'ResNet3', 'ResNet2x2'].flatMap((t) => [
        rec({ table: 'table-06', topology: t, method: 'stdp', classifier: 'softmax', value: 40 + gain }),
        rec({ table: 'table-06', topology: t, method: 'random-decorrelated', classifier: 'softmax', value: 40 }),
      ]);
    expect(get(control(1), 't6-stdp-beats-decorrelated-random').status).toBe('holds');
    expect(get(control(-1), 't6-stdp-beats-decorrelated-random').status).toBe('does not hold');
  });

  it('writes claims.md with every claim and its status', () => {
    const md = claimsMarkdown(evaluateClaims(t8, 'quick'), 'quick', ['wasm']);
    expect(md).toContain('| t8-vgg3x4-beats | Table 8 |');
    expect(md).toContain('**holds**');
    expect(md).toContain('**not run**');
  });
});
