// A tfjs optimiser's state as checkpoint tensors: its slots by position (`<prefix>:<i>`, the order
// applyGradients keys them by) and Adam's running beta powers (`<prefix>x:accBeta1|2`).
import { tf } from '@snn/backend';

const ADAM_EXTRA = ['accBeta1', 'accBeta2'] as const;

/**
 * The optimiser's state, named `<prefix>:<i>` and `<prefix>x:<k>` (e.g. `opt:0`, `optx:accBeta1`).
 * An entry with `dispose` is a tensor made for the call (the iteration count): the caller frees it after saving.
 */
export async function optimizerTensors(
  optimizer: tf.Optimizer,
  prefix = 'opt',
): Promise<Array<{ name: string; tensor: tf.Tensor; dispose?: boolean }>> {
  const out: Array<{ name: string; tensor: tf.Tensor; dispose?: boolean }> = [];
  const ow = await optimizer.getWeights();
  // getWeights' first entry, the iteration count, is a new scalar each call: marked for disposal
  // once saved (runEpochs does it), the moments are the optimiser's own variables
  ow.forEach((w, i) =>
    out.push({ name: `${prefix}:${i}`, tensor: w.tensor, ...(i === 0 && w.name === 'iter' ? { dispose: true } : {}) }),
  );
  // Adam's running beta powers: setWeights recomputes them as pow(beta, it + 1), which differs
  // in the last float bits from the product accumulated step by step; keep the exact values.
  for (const k of ADAM_EXTRA) {
    const v = (optimizer as unknown as Record<string, tf.Variable | undefined>)[k];
    if (v) out.push({ name: `${prefix}x:${k}`, tensor: v });
  }
  return out;
}

/** Put back what optimizerTensors saved (a missing state leaves the optimiser as it is). */
export async function restoreOptimizer(
  optimizer: tf.Optimizer,
  tensors: Map<string, tf.Tensor>,
  prefix = 'opt',
): Promise<void> {
  const opt: Array<{ name: string; tensor: tf.Tensor }> = [];
  for (let i = 0; tensors.has(`${prefix}:${i}`); i++)
    opt.push({ name: `${prefix}:${i}`, tensor: tensors.get(`${prefix}:${i}`)! });
  if (opt.length) await optimizer.setWeights(opt);
  for (const k of ADAM_EXTRA) {
    const v = (optimizer as unknown as Record<string, tf.Variable | undefined>)[k];
    const t = tensors.get(`${prefix}x:${k}`);
    if (v && t) v.assign(t);
  }
}
