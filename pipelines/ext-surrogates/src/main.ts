/**
 * Stage `ext-surrogates` — Extension: surrogate-gradient ablation on VGG5 AGD (piecewise linear vs Dspike with temperature search vs fast sigmoid; T = 5, 10, 25).
 * Every row is trained by @snn/trainers-agd (surrogate-gradient BPTT / ANN baseline) and evaluated
 * for accuracy, spike activity per layer and energy; see config.json for the rows and profiles.
 */
import { runAgdStage } from '@snn/stage-agd';

await runAgdStage('ext-surrogates', new URL('../config.json', import.meta.url));
