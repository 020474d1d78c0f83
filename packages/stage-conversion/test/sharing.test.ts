// Conversion work is shared by content (src/shared.ts): the second of two rows (or stages) asking
// for the same threshold balancing reads it from the disk cache instead of recomputing it, a
// different maxRate is other work, a new process (a rerun after a kill) reuses the file, and a
// lock held by another live process makes the row RowBusy instead of computing it twice.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tf } from '@snn/backend';
import { buildTopology } from '@snn/models';
import { RowBusy } from '@snn/pipeline';
import { thresholdBalance, evaluateSnn } from '@snn/trainers-conversion';
import { balanceShared, decode, encode, shared, type BalanceOptions, type SharedStore } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'stage-conversion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tinyNet() {
  const topo = buildTopology(
    'test',
    [
      { conv: 'conv1', out: 4, k: 3 },
      { pool: 'avg', size: 2 },
      { fc: 'fc1', out: 8 },
      { fc: 'fc2', out: 'classes' },
    ],
    { width: 1, classes: 3, bias: false, neuron: 'if', input: [4, 4, 1] },
    { rule: 'test', reconstructed: false },
  );
  const params = {
    conv1: tf.randomNormal([3, 3, 1, 4], 0.1, Math.sqrt(2 / 9), 'float32', 1),
    fc1: tf.randomNormal([16, 8], 0.05, Math.sqrt(2 / 16), 'float32', 2),
    fc2: tf.randomNormal([8, 3], 0, Math.sqrt(2 / 8), 'float32', 3),
  };
  return { topo, params };
}

describe('content-keyed sharing of conversion work', () => {
  const net = tinyNet();
  const x = tf.randomUniform([6, 4, 4, 1], 0, 1, 'float32', 7);
  const y = new Int32Array([0, 1, 2, 0, 1, 2]);
  let calls = 0;
  const counting: typeof thresholdBalance = (...a) => {
    calls++;
    return thresholdBalance(...a);
  };
  const store = (): SharedStore => ({ root: join(dir, 'cache'), code: 'test-code|test-engine|test-data' });
  const opts = (maxRate: number): BalanceOptions => ({
    window: 8,
    chunk: 4,
    coding: 'poisson',
    seed: 17,
    reset: 'hard',
    maxRate,
  });
  const req = (maxRate: number) => ({
    ann: 'ann-hash',
    images: { test: 'x', n: 6 },
    opts: opts(maxRate),
    label: 'tiny',
  });
  const balance = (s: SharedStore, maxRate: number) =>
    balanceShared(s, req(maxRate), net, () => [x], { balance: counting });

  it('two rows asking for the same balancing compute it once; the second reads the same thresholds', async () => {
    const a = await balance(store(), 1);
    // another row (another store object, as another stage process would build it)
    const b = await balance(store(), 1);
    expect(calls).toBe(1);
    expect(a.reused).toBe(false);
    expect(b.reused).toBe(true);
    expect(b.key).toBe(a.key);
    expect(b.thresholds).toEqual(a.thresholds);
    expect(b.settings).toEqual(a.settings);
    expect(b.seconds).toBe(a.seconds);
    // bit for bit what thresholdBalance gives
    expect(b.settings).toEqual(thresholdBalance(net, [x], opts(1)).settings);
  });

  it('a different maxRate (or code, engine, data) is other work', async () => {
    const c = await balance(store(), 0.5);
    expect(calls).toBe(2);
    expect(c.reused).toBe(false);
    const d = await balanceShared({ ...store(), code: 'other-code|test-engine|test-data' }, req(1), net, () => [x], {
      balance: counting,
    });
    expect(calls).toBe(3);
    expect(d.reused).toBe(false);
    expect(d.key).not.toBe(c.key);
    expect(readdirSync(join(dir, 'cache', 'conversion-balance')).filter((f) => f.endsWith('.json'))).toHaveLength(3);
  });

  it('an SNN evaluation reads back exactly (per-image Uint8Arrays in a Map, per-T accuracy)', async () => {
    const bal = await balance(store(), 1);
    let evals = 0;
    const evalOnce = () =>
      shared(store(), {
        name: 'conversion-eval',
        label: 'tiny',
        key: { settings: bal.key, tList: [2, 4] },
        what: 'tiny evaluation',
        compute: () => {
          evals++;
          return evaluateSnn(net, bal.settings, [{ x, y }], { tList: [2, 4], coding: 'poisson', seed: 31, chunk: 4 });
        },
      });
    const first = await evalOnce();
    const again = await evalOnce();
    expect(evals).toBe(1);
    expect(again.reused).toBe(true);
    expect(again.value.correct).toBeInstanceOf(Map);
    expect(again.value.correct.get(4)).toBeInstanceOf(Uint8Array);
    expect(again.value).toEqual(first.value);
  });

  it('a balancing another live process is computing makes the row RowBusy (nothing computed twice)', async () => {
    const s = store();
    const before = calls;
    // the lock file of maxRate 0.25's entry, held by this (live) process under another name
    const probe = await balanceShared({ ...s, root: join(dir, 'probe') }, req(0.25), net, () => [x]);
    const file = readdirSync(join(dir, 'probe', 'conversion-balance')).find((f) => f.endsWith('.json'))!;
    const lock = join(s.root, 'conversion-balance', `${file}.lock`);
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), what: 'test', since: '' }));
    await expect(balance(s, 0.25)).rejects.toBeInstanceOf(RowBusy);
    expect(calls).toBe(before);
    rmSync(lock);
    expect((await balance(s, 0.25)).thresholds).toEqual(probe.thresholds);
  });

  it('encode/decode keep typed arrays, Maps and non-finite numbers', () => {
    const v = {
      a: new Float32Array([1.5, -0, NaN]),
      m: new Map([[2, new Uint8Array([1, 0, 1])]]),
      n: [NaN, Infinity, -Infinity, -0, 0.1 + 0.2],
      i: new Int32Array([-3, 7]),
    };
    const back = decode(JSON.parse(JSON.stringify(encode(v)))) as typeof v;
    expect(back).toEqual(v);
    expect(Object.is(back.n[3], -0)).toBe(true);
  });
});
