/**
 * Stage `ext-surrogates` — Extension: surrogate-gradient ablation on VGG5 AGD (piecewise linear vs Dspike with temperature search vs fast sigmoid; T = 5, 10, 25).
 * Every row is trained by @snn/trainers-agd (surrogate-gradient BPTT / ANN baseline) and evaluated
 * for accuracy, spike activity per layer and energy; see config.json for the rows and profiles.
 */
import { agdRowSchema, runAgdStage } from '@snn/stage-agd';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export const rowSchema = agdRowSchema;

if (import.meta.url === `file://${process.argv[1]}`) {
  await runAgdStage('ext-surrogates', new URL('../config.json', import.meta.url));
}
