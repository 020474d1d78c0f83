/**
 * Arrow IPC read/write for results. Columns are built as typed vectors (Utf8, Float64, Int32, Bool):
 * `tableFromArrays` would turn strings into Dictionary<Int32, Utf8> (stack-notes.md).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Table, tableFromIPC, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { ACTIVITY_COLUMNS, RESULT_COLUMNS, arrowType, type ActivityRecord, type ResultRecord } from './schema.js';

type Cols<T> = ReadonlyArray<readonly [keyof T, Parameters<typeof arrowType>[0]]>;

export function recordsToTable<T extends object>(records: readonly T[], columns: Cols<T>): Table {
  const vectors: Record<string, Vector> = {};
  for (const [name, kind] of columns) {
    vectors[name as string] = vectorFromArray(records.map((r) => (r as Record<string, unknown>)[name as string] ?? null), arrowType(kind)) as Vector;
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

function writeAtomic(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** Write results as an Arrow IPC file, atomically (temp file, then rename). */
export function writeResults(path: string, records: readonly ResultRecord[]): void {
  writeAtomic(path, tableToIPC(recordsToTable(records, RESULT_COLUMNS), 'file'));
}

export function readResults(path: string): ResultRecord[] {
  if (!existsSync(path)) return [];
  return tableToRecords<ResultRecord>(tableFromIPC(readFileSync(path)), RESULT_COLUMNS);
}

export function writeActivity(path: string, records: readonly ActivityRecord[]): void {
  writeAtomic(path, tableToIPC(recordsToTable(records, ACTIVITY_COLUMNS), 'file'));
}

export function readActivity(path: string): ActivityRecord[] {
  if (!existsSync(path)) return [];
  return tableToRecords<ActivityRecord>(tableFromIPC(readFileSync(path)), ACTIVITY_COLUMNS);
}
