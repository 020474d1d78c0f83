/**
 * Arrow IPC read/write for results. Columns are built as typed vectors (Utf8, Float64, Int32, Bool):
 * `tableFromArrays` would turn strings into Dictionary<Int32, Utf8> (stack-notes.md).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { Table, tableFromIPC, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import {
  ACTIVITY_COLUMNS,
  RESULT_COLUMNS,
  SERIES_COLUMNS,
  arrowType,
  type ActivityRecord,
  type ResultRecord,
  type SeriesRecord,
} from './schema.js';

type Cols<T> = ReadonlyArray<readonly [keyof T, Parameters<typeof arrowType>[0]]>;

export function recordsToTable<T extends object>(records: readonly T[], columns: Cols<T>): Table {
  const vectors: Record<string, Vector> = {};
  for (const [name, kind] of columns) {
    vectors[name as string] = vectorFromArray(
      records.map((r) => (r as Record<string, unknown>)[name as string] ?? null),
      arrowType(kind),
    ) as Vector;
  }
  return new Table(vectors);
}

export function tableToRecords<T>(table: Table, columns: Cols<T>): T[] {
  const out: Record<string, unknown>[] = Array.from({ length: table.numRows }, () => ({}));
  for (const [name] of columns) {
    const col = table.getChild(name as string);
    for (let i = 0; i < table.numRows; i++) {
      const v: unknown = col ? col.get(i) : null;
      out[i][name as string] = v === undefined ? null : v;
    }
  }
  return out as T[];
}

const IO_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'a parent of it is not a folder',
  EEXIST: 'a file stands where its folder should be',
  EISDIR: 'it is a folder',
  EIO: 'input/output error',
};

/**
 * A result, checkpoint or log could not be written. It names the file and the reason in one line
 * (runStage: a row whose result cannot be kept fails with this line; a stage whose folders are not
 * writable stops before it trains).
 */
export class WriteError extends Error {
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    reason: string,
  ) {
    const shown = relative(process.cwd(), path);
    super(`cannot write ${shown && !shown.startsWith('..') ? shown : path}: ${reason}${code ? ` (${code})` : ''}`);
    this.name = 'WriteError';
  }
}

/**
 * Write via a temp file in the same folder, then rename: readers never see a half-written file and a
 * killed process leaves the last good one. On failure the temp file is removed and a WriteError
 * naming `path` is thrown (Node's own ENOSPC message names no file).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* the folder itself may be unwritable */
    }
    const code = (e as NodeJS.ErrnoException).code;
    throw new WriteError(path, code, (code && IO_REASONS[code]) ?? (e as Error).message.split('\n')[0]!);
  }
}

/** Write results as an Arrow IPC file, atomically (temp file, then rename). */
export function writeResults(path: string, records: readonly ResultRecord[]): void {
  writeFileAtomic(path, tableToIPC(recordsToTable(records, RESULT_COLUMNS), 'file'));
}

export function readResults(path: string): ResultRecord[] {
  if (!existsSync(path)) return [];
  return tableToRecords<ResultRecord>(tableFromIPC(readFileSync(path)), RESULT_COLUMNS);
}

export function writeActivity(path: string, records: readonly ActivityRecord[]): void {
  writeFileAtomic(path, tableToIPC(recordsToTable(records, ACTIVITY_COLUMNS), 'file'));
}

export function readActivity(path: string): ActivityRecord[] {
  if (!existsSync(path)) return [];
  return tableToRecords<ActivityRecord>(tableFromIPC(readFileSync(path)), ACTIVITY_COLUMNS);
}

export function writeSeries(path: string, records: readonly SeriesRecord[]): void {
  writeFileAtomic(path, tableToIPC(recordsToTable(records, SERIES_COLUMNS), 'file'));
}

export function readSeries(path: string): SeriesRecord[] {
  if (!existsSync(path)) return [];
  return tableToRecords<SeriesRecord>(tableFromIPC(readFileSync(path)), SERIES_COLUMNS);
}
