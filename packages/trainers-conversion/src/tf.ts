// One tfjs instance for the whole repo: every package imports `tf` from @snn/backend
// (docs/interfaces.md). This shim is the single place this package touches tfjs; the gradient
// registrations are needed by weight calibration (Li et al. 2021), which trains with Adam.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
export { tf } from '@snn/backend';
