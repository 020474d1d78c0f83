import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '@snn/reporting';
import { evaluateClaims } from '../src/claims.js';
import { companionClaims } from '../src/companion-claims.js';

function rec(table: string, rowId: string, metric: string, value: number, profile = 'quick'): ResultRecord {
  return {
    table,
    rowId,
    configHash: 'h',
    profile,
    seed: 0,
    topology: null,
    method: null,
    coding: null,
    classifier: null,
    T: null,
    metric,
    value,
    unit: null,
    paper: null,
    paperText: null,
    status: 'ok',
    error: null,
    reconstructed: null,
    engine: 'wasm',
    codeVersion: 'v',
    codeHash: 'c',
  };
}

const status = (results: ResultRecord[], id: string, profile = 'quick'): string =>
  evaluateClaims(results, profile, companionClaims(results, profile)).find((c) => c.claim.id === id)!.status;

describe('companion-method claims', () => {
  it('TTFS spike claim holds, fails and is not run as the rows say', () => {
    const fewer = [
      rec('ext-ttfs', 'ttfs', 'spikes_per_neuron', 0.4),
      rec('ext-ttfs', 'rate', 'spikes_per_neuron', 1.9),
    ];
    expect(status(fewer, 'ttfs-fewer-spikes')).toBe('holds');
    const more = [rec('ext-ttfs', 'ttfs', 'spikes_per_neuron', 2.5), rec('ext-ttfs', 'rate', 'spikes_per_neuron', 1.9)];
    expect(status(more, 'ttfs-fewer-spikes')).toBe('does not hold');
    expect(status(fewer.slice(0, 1), 'ttfs-fewer-spikes')).toBe('not run');
    expect(status(fewer, 'ttfs-fewer-spikes', 'smoke')).toBe('not run'); // other profile's rows do not count
  });

  it('bias shift must help at every low T of both nets', () => {
    const rows = (gain: number): ResultRecord[] =>
      ['vgg2x4', 'vgg3x2-v1'].flatMap((n) =>
        [16, 32].flatMap((T) => [
          rec('ext-calibration', `${n}-tb-t${T}`, 'accuracy', 40),
          rec('ext-calibration', `${n}-tb-shift-t${T}`, 'accuracy', 40 + gain),
        ]),
      );
    expect(status(rows(3), 'calib-bias-shift')).toBe('holds');
    expect(status(rows(-3), 'calib-bias-shift')).toBe('does not hold');
  });
});
