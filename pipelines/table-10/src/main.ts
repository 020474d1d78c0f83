/**
 * Stage `table-10` — Table 10: VGG3 AGD SNN, softmax vs stochmax (DropMax) classifier at T = 5, 10, 25 (CIFAR-10).
 * Every row is trained by @snn/trainers-agd (surrogate-gradient BPTT / ANN baseline) and evaluated
 * for accuracy, spike activity per layer and energy; see config.json for the rows and profiles.
 */
import { agdRowSchema, runAgdStage } from '@snn/stage-agd';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export const rowSchema = agdRowSchema;

if (import.meta.url === `file://${process.argv[1]}`) {
  await runAgdStage('table-10', new URL('../config.json', import.meta.url));
}
