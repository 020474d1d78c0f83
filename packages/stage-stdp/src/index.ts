/**
 * @snn/stage-stdp: the stage glue of the STDP stages table-06 and table-12: the row schema and a thin
 * wrapper of @snn/pipeline's runStage around @snn/trainers-stdp's runStdpRow.
 */
import { z } from 'zod';
import { join } from 'node:path';
import { baseRow, runStage } from '@snn/pipeline';
import { dataFingerprint, engineLabel, repoRoot } from '@snn/runtime';
import { loadDataset, type ImageSet } from '@snn/datasets';
import { runStdpRow, stdpCodeFingerprint } from '@snn/trainers-stdp/rows';

export const rowSchema = baseRow
  .extend({
    topology: z.enum(['ResNet2', 'ResNet2x2', 'ResNet3']),
    /**
     * 'stdp' is the default reading; the 'stdp-*' variants are STDP rows labelled by what they change
     * (their settings must say so: see the refinement below), so the claims and figures that read
     * 'stdp' never pick a variant up
     */
    method: z.enum([
      'stdp',
      'stdp-wta-inference',
      'stdp-readapt-inference',
      'stdp-plain-rule',
      'ann',
      'random-kernels',
      'random-decorrelated',
    ]),
    classifier: z.enum(['softmax', 'stochmax', 'convnn']).default('softmax'),
    T: z.number().int().positive(),
    /** channel-width multiplier (1 = the VGG-style widths of `paper`) */
    width: z.number().positive(),
    /** images the conv layers learn on by STDP (paper: 5,000) */
    stdpImages: z.number().int().positive(),
    stdpEpochs: z.number().int().positive().default(1),
    /** images the head (and the ANN) trains on (paper: all 50,000), and the test images (at most the split's) */
    trainImages: z.number().int().positive(),
    testImages: z.number().int().positive(),
    headEpochs: z.number().int().positive(),
    annEpochs: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    lr: z.number().positive().default(0.001),
    /** repeats with seeds seed, seed + 1, ...; accuracy = their mean, accuracy_sd = their sample sd */
    seeds: z.number().int().positive().default(1),
    maxRate: z.number().positive().max(1).default(1),
    /** STDP constants not given by the paper (defaults: packages/trainers-stdp/README.md) */
    stdp: z.record(z.string(), z.unknown()).optional(),
    /** inference reading of the frozen stack: 'free' (default), 'wta', 'readapt' (@snn/trainers-stdp StdpInference) */
    inference: z.enum(['free', 'wta', 'readapt']).optional(),
    /** images of the threshold re-adaptation for inference ('readapt'; default all STDP images) */
    readaptImages: z.number().int().positive().optional(),
  })
  .superRefine((row, ctx) => {
    const inference = row.inference ?? 'free';
    const want: Record<string, string> = { 'stdp-wta-inference': 'wta', 'stdp-readapt-inference': 'readapt' };
    const expected = want[row.method] ?? 'free';
    if (inference !== expected)
      ctx.addIssue({
        code: 'custom',
        path: ['inference'],
        message: `method '${row.method}' needs inference '${expected}', got '${inference}'`,
      });
    const offset = (row.stdp as { rule?: { offsetMode?: string } } | undefined)?.rule?.offsetMode;
    if (row.method === 'stdp-plain-rule' && offset !== 'constant')
      ctx.addIssue({
        code: 'custom',
        path: ['stdp', 'rule', 'offsetMode'],
        message: `method 'stdp-plain-rule' needs the paper's constant offset (stdp.rule.offsetMode 'constant'), got '${offset}'`,
      });
  });
export type StdpRow = z.output<typeof rowSchema>;

export async function runStdpStage(stage: string, config: URL): Promise<void> {
  let data: { train: ImageSet; test: ImageSet } | null = null;
  // learnt kernels are checkpointed under artifacts/cache/stdp-kernels, keyed by their configuration
  // and the STDP trainer's code fingerprint: table-12 (same STDP settings, another head) reuses table-06's
  const code = stdpCodeFingerprint();
  const kernelCache = { dir: join(repoRoot(), 'artifacts', 'cache', 'stdp-kernels'), code };
  // frozen features too: table-06 and table-12 run concurrently and train other heads on the same
  // features; whichever gets to a feature set first computes it, the other's row waits its turn
  const featureCache = { dir: join(repoRoot(), 'artifacts', 'cache', 'stdp-features'), code };
  await runStage({
    stage,
    config,
    rowSchema,
    runRow: async (row, ctx) => {
      data ??= await loadDataset('cifar10');
      // the caches are per engine and data content too: kernels or features computed on tensorflow
      // (or from other bytes) are never this run's
      const cacheCode = `${code}|${engineLabel(ctx.engine)}|${dataFingerprint(repoRoot())}`;
      const r = await runStdpRow(
        {
          topology: row.topology,
          // a labelled variant trains as STDP (its settings say what differs)
          method: row.method.startsWith('stdp-')
            ? 'stdp'
            : (row.method as 'stdp' | 'ann' | 'random-kernels' | 'random-decorrelated'),
          classifier: row.classifier,
          T: row.T,
          seed: row.seed,
          width: row.width,
          stdpImages: row.stdpImages,
          stdpEpochs: row.stdpEpochs,
          trainImages: Math.min(row.trainImages, data.train.n),
          testImages: Math.min(row.testImages, data.test.n),
          headEpochs: row.headEpochs,
          annEpochs: row.annEpochs,
          batchSize: row.batchSize,
          lr: row.lr,
          seeds: row.seeds,
          maxRate: row.maxRate,
          stdp: row.stdp as Parameters<typeof runStdpRow>[0]['stdp'],
          inference: row.inference,
          readaptImages: row.readaptImages,
        },
        data,
        {
          log: (m) => ctx.log(m),
          progress: (p) => ctx.progress(p),
          kernelCache: { ...kernelCache, code: cacheCode },
          featureCache: { ...featureCache, code: cacheCode },
          checkpointDir: ctx.checkpointDir,
        },
      );
      return { metrics: r.metrics, activity: r.activity, reconstructed: r.reconstructed, series: r.series };
    },
  });
}
