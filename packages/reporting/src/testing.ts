// Test fixture (entry `@snn/reporting/testing`): a complete ResultRecord with defaults, so a test
// names only the fields it is about.
import type { ResultRecord } from './schema.js';

export function resultRecord(p: Partial<ResultRecord>): ResultRecord {
  return {
    table: 'table-08',
    rowId: 'x',
    configHash: 'h',
    profile: 'quick',
    seed: 0,
    topology: null,
    method: null,
    coding: null,
    classifier: null,
    T: null,
    metric: 'accuracy',
    value: 0,
    unit: '%',
    paper: null,
    paperText: null,
    status: 'ok',
    error: null,
    reconstructed: null,
    engine: 'wasm@4.22.0+simd',
    codeVersion: 'abc123',
    codeHash: 'c0de',
    ...p,
  };
}
