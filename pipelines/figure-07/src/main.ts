/**
 * Stage `figure-07` (Panda, Aketi & Roy 2020, Figure 7): EE of each converted SNN against its own
 * ANN. Cheap and cached: it reads table-02's results of the same profile instead of recomputing;
 * the report stage draws the Vega-Lite bar chart from these rows (reporting's eeBarSpec).
 * Claim: VGG2x4 (n=4) has ~1.3x the EE of VGG3x2-v1 (n=2) — the ratio is a metric of the VGG2x4 row.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  baseRow,
  runStage,
  profileResults,
  resolveProfile,
  RowSkipped,
  type RowContext,
  type RowResult,
} from '@snn/pipeline';
import { readResults, type ResultRecord } from '@snn/reporting';

export const rowSchema = baseRow.extend({ topology: z.string(), source: z.literal('table-02') });

const table02Results = (profile: string = resolveProfile()): string =>
  join(profileResults(profile), 'table-02', 'results.arrow');

function fromTable02(profile: string): ResultRecord[] {
  const file = table02Results(profile);
  if (!existsSync(file)) throw new RowSkipped(`needs table-02 results (${file}); run the table-02 stage first`);
  return readResults(file).filter(
    (r) =>
      r.profile === profile &&
      r.status === 'ok' &&
      r.method === 'conversion' &&
      (r.classifier === null || r.classifier === 'softmax'),
  );
}

/** ee at the largest T of one topology's table-02 conversion rows. */
function eeOf(rs: ResultRecord[], topology: string, metric = 'ee'): { value: number; T: number } {
  const m = rs
    .filter((r) => r.topology === topology && r.metric === metric && r.value !== null)
    .sort((a, b) => (b.T ?? 0) - (a.T ?? 0));
  if (!m.length) throw new RowSkipped(`table-02 has no ${topology} conversion '${metric}' for this profile`);
  return { value: m[0].value as number, T: m[0].T as number };
}

export function figure07Row(row: z.output<typeof rowSchema>, ctx: RowContext): RowResult {
  const rs = fromTable02(ctx.profile);
  const ee = eeOf(rs, row.topology);
  const acc = eeOf(rs, row.topology, 'accuracy');
  const metrics: RowResult['metrics'] = [
    { metric: 'ee', value: ee.value, unit: 'x' },
    { metric: 'ee_conv', value: eeOf(rs, row.topology, 'ee_conv').value, unit: 'x' },
    { metric: 'accuracy', value: acc.value, unit: '%' },
    { metric: 'T', value: ee.T, unit: 'steps' },
  ];
  if (row.topology === 'VGG2x4')
    metrics.push({
      metric: 'ee_ratio',
      value: ee.value / eeOf(rs, 'VGG3x2-v1').value,
      unit: 'x',
      paperText: 'VGG2x4 ~1.3x the EE of VGG3x2-v1',
    });
  return { metrics, reconstructed: true };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runStage({
    stage: 'figure-07',
    config: new URL('../config.json', import.meta.url),
    rowSchema,
    needsEngine: false,
    inputs: [table02Results()],
    runRow: async (row, ctx) => figure07Row(row, ctx),
  });
}
