/**
 * Stage table-06 (Panda et al. 2020, Table 6): layer-wise unsupervised STDP on ResNet2, ResNet2x2
 * and ResNet3 (T = 100 at `paper`), FC1-FC2 head by backprop on spike activity accumulated over
 * the window: SNN vs ANN accuracy, unique parameters, EE_Full and EE_Conv; the stochmax text claim
 * on ResNet3; and the same head on random frozen kernels (the baseline STDP must beat).
 */
import { runStdpStage } from '@snn/stage-stdp';

/** The stage's row schema (`pnpm reproduce --explain` reads it). */
export { rowSchema } from '@snn/stage-stdp';

if (import.meta.url === `file://${process.argv[1]}`) {
  await runStdpStage('table-06', new URL('../config.json', import.meta.url));
}
