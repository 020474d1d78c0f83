/**
 * Stage `table-16` — hybrid VGG13 on ImageNet (Panda et al. 2020, Table 16: ReLU at the start and
 * end, the middle two layers LIF, softmax head, T = 10) and its ANN.
 * The code path is the same AGD trainer as the CIFAR tables; it runs only when env
 * SNN_IMAGENET_DIR names an ImageNet directory. Without it every row is recorded as
 * "needs ImageNet" (skipped: neither faked nor a failure).
 */
import { existsSync } from 'node:fs';
import { RowSkipped } from '@snn/pipeline';
import { agdRowSchema, runAgdStage } from '@snn/stage-agd';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export const rowSchema = agdRowSchema;

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.env.SNN_IMAGENET_DIR;
  const imagenet = !!dir && existsSync(dir);
  await runAgdStage(
    'table-16',
    new URL('../config.json', import.meta.url),
    () => {
      if (!imagenet) throw new RowSkipped('needs ImageNet (set SNN_IMAGENET_DIR to an ImageNet directory)');
    },
    { needsEngine: imagenet },
  );
}
