// One tfjs instance for the whole project (docs/interfaces.md): @snn/backend re-exports tfjs-core
// and registers its gradients (heads and the ANN baseline use tf.grad).
export { tf } from '@snn/backend';
