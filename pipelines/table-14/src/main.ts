/**
 * Stage `table-14` — Table 14: hybrid ReLU+LIF nets VGG9 and VGG8x2 (Conv1, Conv2 ReLU; rest LIF; stochmax; T = 25) vs ANN (CIFAR-10).
 * Every row is trained by @snn/trainers-agd (surrogate-gradient BPTT / ANN baseline) and evaluated
 * for accuracy, spike activity per layer and energy; see config.json for the rows and profiles.
 */
import { z } from 'zod';
import { baseRow, runStage, type RowContext, type RowResult } from '@snn/pipeline';
import { agdRowFields, runAgdRow } from '@snn/trainers-agd/stage';

export const rowSchema = baseRow.extend(agdRowFields);
export type Row = z.output<typeof rowSchema>;

await runStage({
  stage: 'table-14',
  config: new URL('../config.json', import.meta.url),
  rowSchema,
  runRow: (row: Row, ctx: RowContext): Promise<RowResult> => runAgdRow(row, ctx),
});
