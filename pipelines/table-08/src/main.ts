/**
 * Stage `table-08` — Table 8: AGD-trained deep SNNs with and without BackRes vs ANN (CIFAR-10, T = 25, 50).
 * Every row is trained by @snn/trainers-agd (surrogate-gradient BPTT / ANN baseline) and evaluated
 * for accuracy, spike activity per layer and energy; see config.json for the rows and profiles.
 */
import { agdRowSchema, runAgdStage } from '@snn/stage-agd';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export const rowSchema = agdRowSchema;

if (import.meta.url === `file://${process.argv[1]}`) {
  await runAgdStage('table-08', new URL('../config.json', import.meta.url));
}
