/**
 * tfjs-core registers no gradient functions by itself (only the `@tensorflow/tfjs` union package
 * does, from its CommonJS bundle; tfjs-core's own `register_all_gradients` is an extensionless ESM
 * tree that Node cannot load). The registries are process-global (tfjs keeps them on globalThis),
 * so importing the union once gives `tf.grad` on our tfjs-core instance every gradient.
 */
import '@tensorflow/tfjs';
