import { describe, expect, it } from 'vitest';
import { paramsRow, rowSchema } from '../src/main.js';

const metric = (r: ReturnType<typeof paramsRow>, m: string): number | undefined =>
  r.metrics.find((x) => x.metric === m)?.value;

describe('params stage rows', () => {
  it('BackRes nets keep the logical depth of their feed-forward twin with fewer unique weights', () => {
    const br = paramsRow(rowSchema.parse({ id: 'vgg2x4', topology: 'VGG2x4' }));
    const ff = paramsRow(rowSchema.parse({ id: 'vgg7', topology: 'VGG7' }));
    expect(metric(br, 'logical_depth')).toBe(7);
    expect(metric(ff, 'logical_depth')).toBe(7);
    expect(metric(br, 'unique_params')!).toBeLessThan(metric(ff, 'unique_params')!);
    expect(metric(br, 'compression_ratio')).toBeCloseTo(
      metric(ff, 'unique_params')! / metric(br, 'unique_params')!,
      10,
    );
    expect(metric(ff, 'compression_ratio')).toBeUndefined();
    // int32 vs fp32 presets: 3.2 vs 4.6 pJ per MAC
    expect(metric(ff, 'ann_energy_fp32_uJ')! / metric(ff, 'ann_energy_uJ')!).toBeCloseTo(4.6 / 3.2, 10);
    expect(br.reconstructed).toBe(true);
  });

  it('rejects an unknown topology', () => {
    expect(rowSchema.safeParse({ id: 'x', topology: 'VGG99' }).success).toBe(false);
  });
});
