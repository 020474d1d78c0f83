/**
 * Stage `table-10` — Table 10: VGG3 AGD SNN, softmax vs stochmax (DropMax) classifier at T = 5, 10, 25 (CIFAR-10).
 * Every row is trained by @snn/trainers-agd (surrogate-gradient BPTT / ANN baseline) and evaluated
 * for accuracy, spike activity per layer and energy; see config.json for the rows and profiles.
 */
import { z } from 'zod';
import { baseRow, runStage, type RowContext, type RowResult } from '@snn/pipeline';
import { agdRowFields, runAgdRow } from '@snn/trainers-agd/stage';

export const rowSchema = baseRow.extend(agdRowFields);
export type Row = z.output<typeof rowSchema>;

await runStage({
  stage: 'table-10',
  config: new URL('../config.json', import.meta.url),
  rowSchema,
  runRow: (row: Row, ctx: RowContext): Promise<RowResult> => runAgdRow(row, ctx),
});
