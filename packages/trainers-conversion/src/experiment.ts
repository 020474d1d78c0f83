import { loadDataset, balancedSubset, type ImageSet } from '@snn/datasets';
import { moduleCodeFingerprint } from '@snn/runtime';
import type { TrainContext } from '@snn/training';
import {
  trainConvertibleAnn,
  annConfigHash,
  labelledBatches,
  type ConvertibleAnn,
  type ConvertibleAnnConfig,
} from './annTraining.js';
import type { LabelledBatch } from './evaluate.js';
import { evaluateAnn } from './evaluate.js';

/**
 * In-process memos shared by the conversion stages' rows: the data subsets, the trained ANN (also
 * cached on disk by its config hash) and its test accuracy, so rows of one stage never retrain or
 * reload what a sibling row already has.
 */
export interface CifarSubsets {
  train: ImageSet;
  test: LabelledBatch[];
  /** the test images `test` batches, in the same order (their ids pair rows' per-image results) */
  testSet: ImageSet;
  /** Poisson/direct balancing & calibration images (from the training subset) */
  calib: LabelledBatch[];
}

const dataMemo = new Map<string, Promise<CifarSubsets>>();
export function cifarSubsets(o: {
  trainSamples: number;
  testSamples: number;
  calibSamples: number;
  seed: number;
  batchSize: number;
}): Promise<CifarSubsets> {
  const key = JSON.stringify(o);
  let p = dataMemo.get(key);
  if (!p) {
    p = (async () => {
      const { train, test } = await loadDataset('cifar10');
      const tr = o.trainSamples >= train.n ? train : balancedSubset(train, o.trainSamples, o.seed);
      const te = o.testSamples >= test.n ? test : balancedSubset(test, o.testSamples, o.seed + 1);
      const ca = balancedSubset(tr, Math.min(o.calibSamples, tr.n), o.seed + 2);
      return {
        train: tr,
        test: labelledBatches(te, o.batchSize),
        testSet: te,
        calib: labelledBatches(ca, o.batchSize),
      };
    })();
    dataMemo.set(key, p);
  }
  return p;
}

const annMemo = new Map<string, Promise<ConvertibleAnn & { testAccuracy: number }>>();
export function cachedAnn(
  cfg: ConvertibleAnnConfig,
  data: CifarSubsets,
  cacheRoot: string,
  ctx: TrainContext = {},
): Promise<ConvertibleAnn & { testAccuracy: number }> {
  const key = `${cacheRoot}|${annConfigHash(cfg)}|${data.test.length}`;
  let p = annMemo.get(key);
  if (!p) {
    p = (async () => {
      const ann = await trainConvertibleAnn(cfg, data.train, cacheRoot, ctx);
      return { ...ann, testAccuracy: evaluateAnn(ann.net, data.test, ann.readout) };
    })();
    annMemo.set(key, p);
    p.catch(() => annMemo.delete(key));
  }
  return p;
}

let conversionCode: string | undefined;
/**
 * Fingerprint of this package's code and its workspace dependencies (not the stage runner's): part
 * of the content key of every conversion result cached on disk (threshold balancing, SNN
 * evaluations; artifacts/cache/conversion-*), so a change to the conversion code recomputes them
 * and a change elsewhere (the runner, a stage) does not.
 */
export function conversionCodeFingerprint(): string {
  conversionCode ??= moduleCodeFingerprint(import.meta.url);
  return conversionCode;
}
