// An AGD row as a stage validates it (@snn/pipeline's baseRow: id, T, seed; + agdRowFields), without the stage runner.
import { z } from 'zod';
import { agdRowFields, type AgdRow } from '../src/rows.js';

const schema = z.object({
  id: z.string(),
  T: z.number().int().positive().optional(),
  seed: z.number().int().nonnegative().default(0),
  ...agdRowFields,
});

/** A row builder: `defaults` overridden by each call's fields, validated as a stage would. */
export const agdRowWith =
  (defaults: Record<string, unknown>) =>
  (over: Record<string, unknown> = {}): AgdRow =>
    schema.parse({ ...defaults, ...over }) as unknown as AgdRow;
