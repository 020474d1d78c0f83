/**
 * Stage `table-11` — Table 11: stochmax vs softmax for VGG5 and VGG3x2-v2 AGD SNNs (CIFAR-10, T = 25, 50).
 * Every row is trained by @snn/trainers-agd (surrogate-gradient BPTT / ANN baseline) and evaluated
 * for accuracy, spike activity per layer and energy; see config.json for the rows and profiles.
 */
import { z } from 'zod';
import { baseRow, runStage, type RowContext, type RowResult } from '@snn/pipeline';
import { agdRowFields, runAgdRow } from '@snn/trainers-agd/stage';

export const rowSchema = baseRow.extend(agdRowFields);
export type Row = z.output<typeof rowSchema>;

await runStage({
  stage: 'table-11',
  config: new URL('../config.json', import.meta.url),
  rowSchema,
  runRow: (row: Row, ctx: RowContext): Promise<RowResult> => runAgdRow(row, ctx),
});
