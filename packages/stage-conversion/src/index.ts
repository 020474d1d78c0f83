/**
 * @snn/stage-conversion: the stage glue of the ANN→SNN conversion stages table-02 (CIFAR-10),
 * table-04 (ImageNet) and ext-calibration (low-latency recipes): their row schemas (@snn/pipeline's
 * baseRow + the fields below) and `runConversionStage`, @snn/pipeline's runStage over the row
 * runners. The algorithms are @snn/trainers-conversion's (a library: it never imports the stage
 * runner). Sibling rows come from RowContext.stageRows; the work rows share (threshold balancing,
 * SNN evaluations) is shared by content on disk (./shared.ts), not per process.
 */
import type { z } from 'zod';
import { baseRow, runStage, type BaseRow, type RowContext, type RowResult } from '@snn/pipeline';
import { conversionRowFields, runConversionRow, type ConversionRow } from './table02.js';
import { imagenetRowFields, runImageNetRow, type ImageNetRow } from './table04.js';
import { calibrationRowFields, runCalibrationRow, type CalibrationRow } from './calibration.js';

export { conversionRowFields, runConversionRow, annConfigOf, siblingTs, pct, type ConversionRow } from './table02.js';
export { imagenetRowFields, runImageNetRow, type ImageNetRow } from './table04.js';
export { calibrationRowFields, runCalibrationRow, type CalibrationRow } from './calibration.js';
export { imageNetFiles, imageNetListing, loadImageNetSplit } from './imagenet.js';
export { balanceShared, type SharedBalance, type BalanceRequest, type BalanceOptions } from './balance.js';
export { shared, sharedStore, contentKey, encode, decode, type SharedStore } from './shared.js';

/** table-02's row schema */
export const conversionRowSchema = baseRow.extend(conversionRowFields);
/** table-04's row schema */
export const imagenetRowSchema = baseRow.extend(imagenetRowFields);
/** ext-calibration's row schema */
export const calibrationRowSchema = baseRow.extend(calibrationRowFields);

interface ConversionStage {
  rowSchema: z.ZodType<BaseRow>;
  runRow: (row: unknown, ctx: RowContext) => Promise<RowResult>;
  /** whether the stage needs a tensor engine at all in this environment (default yes) */
  needsEngine?: () => boolean;
}

/** The conversion stages by name: each one's schema and row runner (given its sibling rows). */
export const CONVERSION_STAGES = {
  'table-02': {
    rowSchema: conversionRowSchema,
    runRow: (row, ctx) => runConversionRow(row as ConversionRow, ctx.stageRows as readonly ConversionRow[], ctx),
  },
  'table-04': {
    rowSchema: imagenetRowSchema,
    runRow: (row, ctx) => runImageNetRow(row as ImageNetRow, ctx.stageRows as readonly ImageNetRow[], ctx),
    // without ImageNet every row is skipped: no engine to load
    needsEngine: () => !!process.env.SNN_IMAGENET_DIR,
  },
  'ext-calibration': {
    rowSchema: calibrationRowSchema,
    runRow: (row, ctx) => runCalibrationRow(row as CalibrationRow, ctx.stageRows as readonly CalibrationRow[], ctx),
  },
} satisfies Record<string, ConversionStage>;

export type ConversionStageName = keyof typeof CONVERSION_STAGES;

/** The whole `main` of a conversion stage: validate its config against its row schema and run every row. */
export async function runConversionStage(stage: ConversionStageName, config: URL): Promise<void> {
  const s: ConversionStage = CONVERSION_STAGES[stage];
  await runStage({
    stage,
    config,
    rowSchema: s.rowSchema,
    needsEngine: s.needsEngine?.(),
    runRow: (row, ctx) => s.runRow(row, ctx),
  });
}
