// One tfjs instance for the whole project (docs/interfaces.md): @snn/backend re-exports tfjs-core.
// The heads and the ANN baseline need tf.grad: make sure tfjs-core's gradients are registered
// (an ES module runs once, so importing it here and elsewhere never double-registers).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
export { tf } from '@snn/backend';
