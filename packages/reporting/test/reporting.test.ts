import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, Type } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readResults, writeResults, type ResultRecord } from '../src/index.js';
import { resultRecord as rec } from '../src/testing.js';

describe('Arrow results', () => {
  it('round-trips records with nulls and typed (non-dictionary) columns', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'snn-rep-')), 'results.arrow');
    const rows = [
      rec({ rowId: 'a', value: 61.5, T: 25, topology: 'VGG5', paper: 88.1, reconstructed: true }),
      rec({ rowId: 'b', metric: 'status', value: null, unit: null, status: 'failed', error: 'boom' }),
    ];
    writeResults(path, rows);
    expect(readResults(path)).toEqual(rows);
    const t = tableFromIPC(readFileSync(path));
    expect(t.schema.fields.find((f) => f.name === 'table')!.type.typeId).toBe(Type.Utf8);
    expect(t.schema.fields.find((f) => f.name === 'value')!.type.typeId).toBe(Type.Float);
    expect(t.schema.fields.find((f) => f.name === 'T')!.type.typeId).toBe(Type.Int);
    expect(t.numRows).toBe(2);
  });
});
