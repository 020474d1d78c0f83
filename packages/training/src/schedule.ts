// Optimiser and learning-rate schedule, both config values (issue 5: "optimiser, LR schedule, init,
// Vth all config values"). The optimisers are tfjs-core's own (never hand-written).
import { tf } from '@snn/backend';

export interface OptimizerConfig {
  name: 'adam' | 'sgd';
  lr: number;
  /** sgd only (0 = plain SGD) */
  momentum?: number;
  /** coupled L2 weight decay added to the gradient (DropMax uses 1e-4); 0 = none */
  weightDecay?: number;
  /** clip the global gradient norm (BPTT over T steps can spike); 0/undefined = none */
  clipNorm?: number;
}

export type ScheduleConfig =
  | { kind: 'constant' }
  /** multiply lr by gamma at each listed epoch (0-based epoch index at which the drop takes effect) */
  | { kind: 'step'; milestones: number[]; gamma: number }
  /** cosine from lr to minLr over the run's epochs */
  | { kind: 'cosine'; minLr?: number };

export function makeOptimizer(c: OptimizerConfig): tf.Optimizer {
  if (c.name === 'adam') return tf.train.adam(c.lr);
  if (c.name === 'sgd') return (c.momentum ?? 0) > 0 ? tf.train.momentum(c.lr, c.momentum!) : tf.train.sgd(c.lr);
  throw new Error(`unknown optimizer '${(c as { name: string }).name}'`);
}

/** Learning rate in `epoch` (0-based) of `epochs`. */
export function lrAt(base: number, s: ScheduleConfig | undefined, epoch: number, epochs: number): number {
  if (!s || s.kind === 'constant') return base;
  if (s.kind === 'step') return base * Math.pow(s.gamma, s.milestones.filter((m) => epoch >= m).length);
  const min = s.minLr ?? 0;
  return epochs <= 1 ? base : min + 0.5 * (base - min) * (1 + Math.cos((Math.PI * epoch) / epochs));
}

/**
 * Set the learning rate of a tfjs optimizer in place. SGD/momentum cache -lr as a kept scalar and
 * need setLearningRate; Adam reads its `learningRate` field on every step.
 */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
