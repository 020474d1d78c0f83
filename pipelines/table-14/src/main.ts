/**
 * Stage `table-14` — Table 14: hybrid ReLU+LIF nets VGG9 and VGG8x2 (Conv1, Conv2 ReLU; rest LIF; stochmax; T = 25) vs ANN (CIFAR-10).
 * Every row is trained by @snn/trainers-agd (surrogate-gradient BPTT / ANN baseline) and evaluated
 * for accuracy, spike activity per layer and energy; see config.json for the rows and profiles.
 */
import { agdRowSchema, runAgdStage } from '@snn/stage-agd';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export const rowSchema = agdRowSchema;

if (import.meta.url === `file://${process.argv[1]}`) {
  await runAgdStage('table-14', new URL('../config.json', import.meta.url));
}
