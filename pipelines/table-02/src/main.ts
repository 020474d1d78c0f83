/**
 * Stage `table-02` (Panda, Aketi & Roy 2020, Table 2): ANN→SNN conversion on CIFAR-10 of VGG7 and
 * the BackRes nets VGG2x4 and VGG3x2-v1 (threshold balancing, Sengupta et al. 2019; one threshold
 * per BackRes unroll step), plus the text claim "stochmax adds ~1-2% to conversion (VGG7)".
 * Rows: one ANN row per net, one conversion row per (net, T). All conversion rows of a net share
 * ONE trained ANN (cached by its config hash), ONE threshold balancing and ONE simulation of
 * max(T) steps read out at every T of its sibling rows (shared by content: @snn/stage-conversion).
 */
import { runConversionStage } from '@snn/stage-conversion';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export { conversionRowSchema as rowSchema } from '@snn/stage-conversion';

if (import.meta.url === `file://${process.argv[1]}`) {
  await runConversionStage('table-02', new URL('../config.json', import.meta.url));
}
