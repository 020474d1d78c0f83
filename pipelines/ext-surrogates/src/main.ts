/**
 * Stage `ext-surrogates` — Extension: surrogate-gradient ablation on VGG5 AGD (piecewise linear vs Dspike with temperature search vs fast sigmoid; T = 5, 10, 25).
 * Every row is trained by @snn/trainers-agd (surrogate-gradient BPTT / ANN baseline) and evaluated
 * for accuracy, spike activity per layer and energy; see config.json for the rows and profiles.
 */
import { z } from 'zod';
import { baseRow, runStage, type RowContext, type RowResult } from '@snn/pipeline';
import { agdRowFields, runAgdRow } from '@snn/trainers-agd/stage';

export const rowSchema = baseRow.extend(agdRowFields);
export type Row = z.output<typeof rowSchema>;

await runStage({
  stage: 'ext-surrogates',
  config: new URL('../config.json', import.meta.url),
  rowSchema,
  runRow: (row: Row, ctx: RowContext): Promise<RowResult> => runAgdRow(row, ctx),
});
