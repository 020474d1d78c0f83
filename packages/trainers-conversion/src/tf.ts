// One tfjs instance for the whole repo: every package imports `tf` from @snn/backend
// (docs/interfaces.md). This shim is the single place this package touches tfjs. Op gradients
// (needed by weight calibration) are registered when @snn/backend is imported.
export { tf } from '@snn/backend';
