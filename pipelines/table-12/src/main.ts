/**
 * Stage table-12 (Panda et al. 2020, Table 12): the STDP-trained conv layers of ResNet2, ResNet2x2
 * and ResNet3 with the larger "ConvNN" classifier head (our reading of its layers: trainers-stdp
 * README), vs ANNs of the same topology with the same head; plus the ConvNN head on random frozen
 * kernels.
 */
import { runStdpStage } from '@snn/stage-stdp';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export { rowSchema } from '@snn/stage-stdp';

if (import.meta.url === `file://${process.argv[1]}`) {
  await runStdpStage('table-12', new URL('../config.json', import.meta.url));
}
