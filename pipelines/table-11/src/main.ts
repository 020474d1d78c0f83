/**
 * Stage `table-11` — Table 11: stochmax vs softmax for VGG5 and VGG3x2-v2 AGD SNNs (CIFAR-10, T = 25, 50).
 * Every row is trained by @snn/trainers-agd (surrogate-gradient BPTT / ANN baseline) and evaluated
 * for accuracy, spike activity per layer and energy; see config.json for the rows and profiles.
 */
import { agdRowSchema, runAgdStage } from '@snn/stage-agd';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export const rowSchema = agdRowSchema;

if (import.meta.url === `file://${process.argv[1]}`) {
  await runAgdStage('table-11', new URL('../config.json', import.meta.url));
}
