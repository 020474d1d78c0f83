// One tfjs instance for the whole repo: every package imports `tf` from @snn/backend
// (docs/interfaces.md). This shim is the single place this package touches tfjs. Op gradients
// (needed only by weight calibration) are registered by @snn/trainers-agd's ensureGradients.
export { tf } from '@snn/backend';
export { ensureGradients } from '@snn/trainers-agd';
