/**
 * Stage `ext-calibration` (extension): Panda et al.'s BackRes nets (VGG2x4, VGG3x2-v1; one IF
 * threshold per unroll step) converted at low latency T in {16, 32, 64, 128, 256}:
 *   tb        threshold balancing (Sengupta et al. 2019)
 *   tb-shift  + bias shift θ/(2T) (Deng & Gu 2021)
 *   light     Li et al. 2021 light pipeline: MMSE thresholds (at this T) + shift + bias correction
 *   advanced  light + potential correction + a few steps of layer-wise weight calibration
 * Each method is a named recipe of @snn/trainers-conversion (calibrationRecipe(method)); the rows
 * are @snn/stage-conversion's runCalibrationRow. The ANN is the table-02 ANN (same config → same
 * disk cache). `tb` runs once for max(T) and is read at every T; the other methods depend on T and
 * run once per T.
 */
import { runConversionStage } from '@snn/stage-conversion';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export { calibrationRowSchema as rowSchema } from '@snn/stage-conversion';

if (import.meta.url === `file://${process.argv[1]}`) {
  await runConversionStage('ext-calibration', new URL('../config.json', import.meta.url));
}
