/**
 * Threshold balancing (Sengupta et al. 2019, @snn/trainers-conversion's thresholdBalance) shared by
 * content: keyed by the ANN it balances (its config hash; the trainer code, engine and data are in
 * the store's code), the images it reads and every balancing option, so table-02's sibling rows,
 * ext-calibration's methods and a rerun after a kill all read one result.
 */
import type { tf } from '@snn/backend';
import { thresholdBalance, type BalancedThreshold, type SnnSettings } from '@snn/trainers-conversion';
import { contentKey, shared, type SharedStore } from './shared.js';

/** thresholdBalance's options */
export type BalanceOptions = Parameters<typeof thresholdBalance>[2];

export interface SharedBalance {
  settings: SnnSettings;
  thresholds: BalancedThreshold[];
  /** seconds the balancing took when it was computed (a reused result reports the same) */
  seconds: number;
  /** content key of this balancing (the SNN evaluations that use its thresholds include it) */
  key: string;
  reused: boolean;
}

export interface BalanceRequest {
  /** annConfigHash of the ANN whose net is balanced */
  ann: string;
  /** what the balancing images are (their subset and selection), as plain data */
  images: unknown;
  opts: BalanceOptions;
  /** a name for the entry's file and messages, e.g. the topology */
  label: string;
}

export async function balanceShared(
  store: SharedStore,
  req: BalanceRequest,
  net: Parameters<typeof thresholdBalance>[0],
  images: () => tf.Tensor[],
  hooks: { progress?: (note: string) => void; log?: (m: string) => void; balance?: typeof thresholdBalance } = {},
): Promise<SharedBalance> {
  const key = { kind: 'threshold-balance', ann: req.ann, images: req.images, opts: req.opts };
  const balance = hooks.balance ?? thresholdBalance;
  const got = await shared(store, {
    name: 'conversion-balance',
    label: req.label,
    key,
    what: `threshold balancing ${req.label} (${contentKey(store, key).slice(0, 12)})`,
    log: hooks.log,
    compute: () => {
      const s = performance.now();
      hooks.progress?.(
        `threshold balancing, window ${req.opts.window}${req.opts.reset ? `, ${req.opts.reset} reset` : ''}`,
      );
      const r = balance(net, images(), req.opts);
      return { settings: r.settings, thresholds: r.thresholds, seconds: (performance.now() - s) / 1000 };
    },
  });
  return { ...got.value, key: contentKey(store, key), reused: got.reused };
}
