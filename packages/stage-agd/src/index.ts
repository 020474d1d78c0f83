/**
 * @snn/stage-agd: the stage glue of the AGD stages (tables 8, 10, 11, 14, 16, ext-surrogates): the
 * row schema (@snn/pipeline's baseRow + @snn/trainers-agd's agdRowFields) and `runStage` over
 * runAgdRowShared. The row logic itself is a library (@snn/trainers-agd/rows): it never imports the
 * stage runner, so editing the runner does not invalidate the shared AGD runs.
 */
import { baseRow, runStage } from '@snn/pipeline';
import { agdRowFields, runAgdRowShared, type AgdRow } from '@snn/trainers-agd/rows';

export { agdRowFields, runAgdRow, runAgdRowShared } from '@snn/trainers-agd/rows';
export type { AgdRow, AgdRowContext, AgdRowResult } from '@snn/trainers-agd/rows';

/** The row schema of every AGD stage (what `pnpm reproduce --explain` resolves rows with). */
export const agdRowSchema = baseRow.extend(agdRowFields);

/**
 * The whole `main` of an AGD stage (tables 8, 10, 11, 14, 16, ext-surrogates): validate the stage's
 * config against baseRow + agdRowFields and run every row through runAgdRow. `guard` may throw
 * RowSkipped for rows that cannot run here (e.g. "needs ImageNet"); `needsEngine: false` when no row
 * can (no engine is loaded and the rows take no job slot).
 */
export async function runAgdStage(
  stage: string,
  config: URL,
  guard?: (row: AgdRow) => void,
  opts: { needsEngine?: boolean } = {},
): Promise<void> {
  await runStage({
    stage,
    config,
    rowSchema: agdRowSchema,
    needsEngine: opts.needsEngine,
    runRow: (row, ctx) => {
      guard?.(row as AgdRow);
      return runAgdRowShared(row as AgdRow, ctx);
    },
  });
}
