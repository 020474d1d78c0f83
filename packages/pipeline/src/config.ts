/**
 * Stage configs are data (style.md, "Configs are data"): `pipelines/<stage>/config.json` lists the
 * paper's rows; a profile layers overrides on top. Effective row, later wins:
 *   defaults < row < profiles[profile] (whole stage) < row.profiles[profile]
 * The row's identity is hash(stage, effective row, profile name, profile settings).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { z } from 'zod';
import { PROFILE_NAMES, type ProfileName } from './profiles.js';
import { repoRoot, sha256, stableStringify } from '@snn/runtime';

/** Fields every row may have; stages extend it: `baseRow.extend({ epochs: z.number().int() })`. */
export const baseRow = z.strictObject({
  /** Stable row id, unique in the stage (e.g. 'vgg3x4-agd-t25'). */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected an id of letters, digits, . _ -'),
  topology: z.string().optional(),
  /** 'ann' | 'conversion' | 'agd' | 'stdp' | 'hybrid' | ... (see pipelines/report/src/claims.ts). */
  method: z.string().optional(),
  /** 'poisson' | 'direct' | 'latency' | 'real' ... */
  coding: z.string().optional(),
  /** 'softmax' | 'stochmax' | 'convnn' ... */
  classifier: z.string().optional(),
  T: z.number().int().positive().optional(),
  seed: z.number().int().nonnegative().default(0),
  /** The paper's value per metric: a number (same unit as ours) or the paper's words ("~15x"). */
  paper: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  /** If set, the row is not run and is reported with this reason (e.g. "needs ImageNet"). */
  skip: z.string().optional(),
  note: z.string().optional(),
});
export type BaseRow = z.infer<typeof baseRow>;

const overrides = z.record(z.string(), z.unknown());
const stageFileSchema = z.strictObject({
  $schema: z.string().optional(),
  stage: z.string().min(1),
  /** Table title as shown in paper-tables/<stage>.md. */
  title: z.string().min(1),
  /** Where in the paper ("Table 8", "Figure 7", "extension"). */
  source: z.string().optional(),
  description: z.string().optional(),
  defaults: overrides.optional(),
  profiles: z.partialRecord(z.enum(PROFILE_NAMES as [ProfileName, ...ProfileName[]]), overrides).optional(),
  rows: z.array(z.looseObject({ id: z.unknown().optional(), profiles: z.unknown().optional() })).min(1),
});
export type StageFile = z.infer<typeof stageFileSchema>;

export class ConfigError extends Error {
  constructor(
    public readonly file: string,
    public readonly problems: string[],
  ) {
    super(`invalid stage config ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface ExpandedRow<R> {
  index: number;
  id: string;
  /** 16 hex digits: hash(stage, effective row, profile, settings). */
  hash: string;
  /** Effective row before schema defaults (what is hashed). */
  raw: Record<string, unknown>;
  row: R;
}

export interface StageConfig<R> {
  file: string;
  stage: string;
  title: string;
  source?: string;
  description?: string;
  profile: ProfileName;
  rows: ExpandedRow<R>[];
}

/** The field names a row schema accepts (a zod object's shape; none for other schemas). */
function knownKeys(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}

/** Edit distance (insert, delete, substitute, swap of neighbours), for "did you mean". */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** "; did you mean 'epochs'?" when a known key is close to `key` (case-insensitive, at most a third of its letters off). */
export function didYouMean(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(key.toLowerCase(), k.toLowerCase());
    if (dist < bestD) {
      best = k;
      bestD = dist;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(key.length / 3)) ? `; did you mean '${best}'?` : '';
}

function toPath(file: string | URL): string {
  return file instanceof URL ? fileURLToPath(file) : file.startsWith('file:') ? fileURLToPath(file) : file;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
      .join('.')
      .replace(/\.\[/g, '[') || '(row)'
  );
}

/** A row's identity: its stage, its resolved config (every layer applied) and the profile name. */
export function rowHash(stage: string, raw: Record<string, unknown>, profile: ProfileName): string {
  return sha256(stableStringify({ stage, row: raw, profile })).slice(0, 16);
}

/**
 * Read and validate a stage config for one profile. Every problem is collected and thrown as one
 * ConfigError whose lines name the file, the row (id and index), the field, and what was expected.
 */
/** "... in JSON at position 1809" -> "... at line 52, column 27" (and the line itself). */
export function jsonErrorAt(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  const src = (text.split('\n')[line - 1] ?? '').trim().slice(0, 80);
  return `${message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '')} at line ${line}, column ${col}: ${src}`;
}

export function loadStageConfig<S extends z.ZodType>(
  file: string | URL,
  rowSchema: S,
  profile: ProfileName,
): StageConfig<z.output<S>> {
  const path = toPath(file);
  const shown = relative(repoRoot(), path) || path;
  let json: unknown;
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(shown, [`cannot read JSON: ${jsonErrorAt(text, (e as Error).message)}`]);
  }
  const top = stageFileSchema.safeParse(json);
  if (!top.success) {
    throw new ConfigError(
      shown,
      top.error.issues.map((i) => `field '${fieldPath(i.path)}': ${i.message}`),
    );
  }
  const cfg = top.data;
  const problems: string[] = [];
  const rows: ExpandedRow<z.output<S>>[] = [];
  const seen = new Map<string, number>();
  cfg.rows.forEach((rawRow, index) => {
    const { profiles: rowProfiles, ...own } = rawRow as Record<string, unknown>;
    const id = typeof own.id === 'string' ? own.id : undefined;
    const where = `row '${id ?? '?'}' (index ${index})`;
    let perRow: Record<string, unknown> = {};
    if (rowProfiles !== undefined) {
      const rp = z
        .partialRecord(z.enum(PROFILE_NAMES as [ProfileName, ...ProfileName[]]), overrides)
        .safeParse(rowProfiles);
      if (!rp.success) {
        for (const i of rp.error.issues)
          problems.push(`${where}, field 'profiles${i.path.length ? '.' + fieldPath(i.path) : ''}': ${i.message}`);
        return;
      }
      perRow = rp.data[profile] ?? {};
    }
    const raw: Record<string, unknown> = { ...cfg.defaults, ...own, ...(cfg.profiles?.[profile] ?? {}), ...perRow };
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        if (i.code === 'unrecognized_keys') {
          // one line per unknown key, with the nearest field the stage knows ("did you mean")
          for (const k of i.keys)
            problems.push(
              `${where}, field '${[...i.path, k].map(String).join('.')}': unknown field${didYouMean(k, knownKeys(rowSchema))} (profile ${profile})`,
            );
          continue;
        }
        problems.push(`${where}, field '${fieldPath(i.path)}': ${i.message} (profile ${profile})`);
      }
      return;
    }
    const rid = String((parsed.data as { id: unknown }).id);
    if (seen.has(rid)) {
      problems.push(`${where}, field 'id': duplicate id '${rid}' (also at index ${seen.get(rid)})`);
      return;
    }
    seen.set(rid, index);
    rows.push({ index, id: rid, hash: rowHash(cfg.stage, raw, profile), raw, row: parsed.data });
  });
  if (problems.length) throw new ConfigError(shown, problems);
  return {
    file: path,
    stage: cfg.stage,
    title: cfg.title,
    source: cfg.source,
    description: cfg.description,
    profile,
    rows,
  };
}

/** Where a resolved row value came from (in the order they are layered; later wins). */
export type ValueSource =
  'stage defaults' | 'row' | `stage profiles.${ProfileName}` | `row profiles.${ProfileName}` | 'schema default';

/**
 * A stage's rows as `loadStageConfig` resolves them for `profile`, each field with the layer it
 * came from (`pnpm reproduce --explain <stage>[/<row>]`). With the stage's `rowSchema`, the
 * defaults the schema fills in are listed too ('schema default'): the resolved row is then all a
 * trainer reads (no profile knob lives outside the stage config).
 */
export function explainStageConfig(
  file: string | URL,
  profile: ProfileName,
  rowId?: string,
  rowSchema: z.ZodType = anyRow,
): Array<{ id: string; hash: string; fields: Array<{ key: string; value: unknown; from: ValueSource }> }> {
  const cfg = loadStageConfig(file, rowSchema, profile);
  const json = JSON.parse(readFileSync(toPath(file), 'utf8')) as {
    defaults?: Record<string, unknown>;
    profiles?: Partial<Record<ProfileName, Record<string, unknown>>>;
    rows: Array<Record<string, unknown>>;
  };
  const out: Array<{ id: string; hash: string; fields: Array<{ key: string; value: unknown; from: ValueSource }> }> =
    [];
  for (const r of cfg.rows) {
    if (rowId !== undefined && r.id !== rowId) continue;
    const { profiles: rowProfiles, ...own } = json.rows[r.index] ?? {};
    const layers: Array<[ValueSource, Record<string, unknown>]> = [
      ['stage defaults', json.defaults ?? {}],
      ['row', own],
      [`stage profiles.${profile}`, json.profiles?.[profile] ?? {}],
      [
        `row profiles.${profile}`,
        (rowProfiles as Partial<Record<ProfileName, Record<string, unknown>>> | undefined)?.[profile] ?? {},
      ],
    ];
    const from = new Map<string, ValueSource>();
    for (const [name, layer] of layers) for (const k of Object.keys(layer)) from.set(k, name);
    const parsed = r.row as Record<string, unknown>;
    const fields = Object.keys(r.raw).map((key) => ({
      key,
      value: key in parsed ? parsed[key] : r.raw[key],
      from: from.get(key) ?? ('row' as ValueSource),
    }));
    for (const key of Object.keys(parsed))
      if (!(key in r.raw) && parsed[key] !== undefined)
        fields.push({ key, value: parsed[key], from: 'schema default' });
    out.push({ id: r.id, hash: r.hash, fields });
  }
  return out;
}

/** Loose schema for readers that do not know a stage's own fields (report, audit): same hashes. */
export const anyRow = baseRow.loose();
