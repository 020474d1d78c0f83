// A model trained by backprop through a classifier head: named variables (the model's params and
// the head's), one tfjs optimiser, the optimiser step (coupled weight decay, global-norm clipping)
// and the checkpoint tensors (variables by stable name, optimiser slots by position). Subclasses
// say how a batch runs forward (`run`): AGD's ANN/SNN/hybrid nets, the conversion ANN.
import { tf, deriveSeed } from '@snn/backend';
import type { ClassifierHead, HeadOutput } from './heads.js';
import { makeOptimizer, type OptimizerConfig } from './schedule.js';
import { optimizerTensors, restoreOptimizer } from './optimizer-state.js';

export interface HeadTrainerInit {
  params: Record<string, tf.Variable>;
  head: ClassifierHead;
  optimizer: OptimizerConfig;
}

export abstract class HeadTrainer {
  readonly params: Record<string, tf.Variable>;
  readonly head: ClassifierHead;
  readonly optimizer: tf.Optimizer;
  private readonly optimizerConfig: OptimizerConfig;
  private readonly varNames: string[];

  constructor(init: HeadTrainerInit) {
    this.params = init.params;
    this.head = init.head;
    this.optimizerConfig = init.optimizer;
    this.optimizer = makeOptimizer(init.optimizer);
    this.varNames = [
      ...Object.keys(this.params).sort(),
      ...Object.keys(this.head.variables)
        .sort()
        .map((k) => `head.${k}`),
    ];
  }

  /** forward of one batch to the head's input { features, logits }; `seed` drives any stochastic input */
  abstract run(x: tf.Tensor, seed: number): HeadOutput;

  /** all trainable variables by stable name (params by their own names, head variables as head.*) */
  variable(name: string): tf.Variable {
    return name.startsWith('head.') ? this.head.variables[name.slice(5)] : this.params[name];
  }

  get variableNames(): readonly string[] {
    return this.varNames;
  }

  /** one optimiser step; returns { loss, correct } (a non-finite loss skips the update: the caller's divergence check fails the run) */
  trainBatch(x: tf.Tensor, y: tf.Tensor1D, seed: number): { loss: number; correct: number } {
    const vars = this.varNames.map((n) => this.variable(n));
    let correctT: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const out = this.run(x, seed);
      correctT = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(out.logits, 1), tf.cast(y, 'int32')), 'float32')));
      return this.head.loss(out, y, deriveSeed(seed, 'head'));
    }, vars);
    const loss = value.dataSync()[0];
    const correct = (correctT as unknown as tf.Tensor).dataSync()[0];
    (correctT as unknown as tf.Tensor).dispose();
    value.dispose();
    if (!Number.isFinite(loss)) {
      tf.dispose(grads);
      return { loss, correct };
    }
    const named = tf.tidy(() => {
      const wd = this.optimizerConfig.weightDecay ?? 0;
      let list = vars.map((v) => {
        const g = grads[v.name];
        return wd > 0 ? tf.add(g, tf.mul(v, wd)) : g;
      });
      const clip = this.optimizerConfig.clipNorm ?? 0;
      if (clip > 0) {
        const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
        const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-12)));
        list = list.map((g) => tf.mul(g, scale));
      }
      return list.map((g, i) => ({ name: vars[i].name, tensor: g }));
    });
    // applyGradients keys optimiser slots by position: the order of varNames is fixed, so a
    // restored optimiser state (checkpoint) lines up with the same variables
    this.optimizer.applyGradients(named);
    // `named` may hold the very tensors of `grads` (no decay, no clipping): dispose both sets once
    tf.dispose([...named.map((n) => n.tensor), ...Object.values(grads)]);
    return { loss, correct };
  }

  /** tensors to checkpoint: variables by stable name + optimiser slots by position (`dispose`: made for the call, free once saved) */
  async checkpointTensors(): Promise<Array<{ name: string; tensor: tf.Tensor; dispose?: boolean }>> {
    const out = this.varNames.map((n) => ({ name: `var:${n}`, tensor: this.variable(n) as tf.Tensor }));
    return [...out, ...(await optimizerTensors(this.optimizer, 'opt'))];
  }

  async restore(tensors: Map<string, tf.Tensor>): Promise<void> {
    for (const n of this.varNames) {
      const t = tensors.get(`var:${n}`);
      if (!t) throw new Error(`checkpoint has no tensor for '${n}'`);
      this.variable(n).assign(t);
    }
    await restoreOptimizer(this.optimizer, tensors, 'opt');
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
    tf.dispose(Object.values(this.head.variables));
    this.optimizer.dispose();
  }
}

/**
 * Size of the classifier's input h (the stochmax head's feature dimension): the input size of the
 * classifier op (a topology's `classifier`, else its last op). Structural, so any topology fits.
 */
export function classifierFeatureDim(topo: {
  classifier?: string;
  ops: ReadonlyArray<{ id: string; inShape: readonly number[] }>;
}): number {
  const op = topo.ops.find((o) => o.id === topo.classifier) ?? topo.ops[topo.ops.length - 1];
  return op.inShape.reduce((a, b) => a * b, 1);
}
