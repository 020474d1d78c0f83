// Divergence handling shared by the trainers: a NaN/inf loss, or one that explodes, fails the row
// with one message instead of recording a trained-looking result.

/**
 * A batch loss this many times the run's first batch loss counts as divergence (a softmax loss
 * starts near ln(classes) and falls; Adam at a far too large learning rate sends it to 1e30 while
 * staying finite, which must not be recorded as a trained row).
 */
export const DIVERGENCE_FACTOR = 50;

/** Thrown when the loss becomes NaN/inf or explodes (DIVERGENCE_FACTOR): the row fails with this message; other rows go on. */
export class DivergenceError extends Error {
  constructor(
    public readonly epoch: number,
    public readonly batch: number,
    public readonly loss: number,
    reason = '',
  ) {
    super(
      `training diverged: loss = ${loss}${reason} at epoch ${epoch + 1}, batch ${batch + 1} (lower the learning rate or check V_th)`,
    );
    this.name = 'DivergenceError';
  }
}

/** Throws DivergenceError when `loss` is not finite or exceeds DIVERGENCE_FACTOR x `first` (the first batch loss of this run). */
export function checkDivergence(loss: number, first: number | undefined, epoch: number, batch: number): void {
  if (!Number.isFinite(loss)) throw new DivergenceError(epoch, batch, loss);
  if (first !== undefined && first > 0 && loss > DIVERGENCE_FACTOR * first) {
    throw new DivergenceError(epoch, batch, loss, `, over ${DIVERGENCE_FACTOR}x the first batch's ${first.toFixed(3)}`);
  }
}
