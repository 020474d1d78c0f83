/**
 * Stage `table-04` (Panda, Aketi & Roy 2020, Table 4): ImageNet conversion of VGG16 vs the BackRes
 * VGG11x2 at T = 2,500 and 250 (threshold balancing, Sengupta et al. 2019; one threshold per
 * unroll step). Complete code path, but ImageNet is not downloadable here: without
 * SNN_IMAGENET_DIR every row is reported "needs ImageNet" (RowSkipped: not run, not a failure).
 * The rows are @snn/stage-conversion's runImageNetRow.
 */
import { runConversionStage } from '@snn/stage-conversion';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export { imagenetRowSchema as rowSchema } from '@snn/stage-conversion';

if (import.meta.url === `file://${process.argv[1]}`) {
  await runConversionStage('table-04', new URL('../config.json', import.meta.url));
}
