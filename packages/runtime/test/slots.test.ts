import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slotPoolFromEnv, withSlot } from '../src/slots.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('job slots (at most n rows compute at once across processes)', () => {
  it('no pool: runs at once; the pool comes from SNN_SLOTS and SNN_SLOT_DIR, or is null', async () => {
    expect(await withSlot(null, 'x', async () => 7)).toBe(7);
    expect(slotPoolFromEnv({})).toBeNull();
    expect(slotPoolFromEnv({ SNN_SLOTS: 'two', SNN_SLOT_DIR: '/tmp/s' })).toBeNull();
    expect(slotPoolFromEnv({ SNN_SLOTS: '2', SNN_SLOT_DIR: '/tmp/s' })).toEqual({ dir: '/tmp/s', n: 2 });
  });

  it('one slot: the second job waits until the first gives its slot back, and says so once', async () => {
    const pool = { dir: mkdtempSync(join(tmpdir(), 'slots-')), n: 1 };
    const events: string[] = [];
    let waits = 0;
    const job = (name: string, ms: number) =>
      withSlot(
        pool,
        name,
        async () => {
          events.push(`${name} start`);
          await sleep(ms);
          events.push(`${name} end`);
          return name;
        },
        { pollMs: 10, onWait: () => waits++ },
      );
    const a = job('a', 120);
    await sleep(20);
    const b = job('b', 10);
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(waits).toBe(1);
    expect(readdirSync(pool.dir)).toEqual([]); // every slot given back
  });

  it('two slots: two jobs compute at once, a third waits; a failing job gives its slot back', async () => {
    const pool = { dir: mkdtempSync(join(tmpdir(), 'slots-')), n: 2 };
    let running = 0;
    let peak = 0;
    const job = (ms: number, fail = false) =>
      withSlot(
        pool,
        'j',
        async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(ms);
          running--;
          if (fail) throw new Error('boom');
          return ms;
        },
        { pollMs: 5 },
      );
    const results = await Promise.allSettled([job(60, true), job(60), job(10), job(10)]);
    expect(peak).toBe(2);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(readdirSync(pool.dir)).toEqual([]);
  });

  it('a slot held by a process that is gone is taken over (a killed run never blocks the next)', async () => {
    const pool = { dir: mkdtempSync(join(tmpdir(), 'slots-')), n: 1 };
    // pid 2^22 + 1 is above Linux's pid_max default: no such process
    writeFileSync(
      join(pool.dir, 'slot-0.lock'),
      JSON.stringify({ pid: 4194305, host: hostname(), what: 'killed', since: new Date().toISOString() }),
    );
    expect(await withSlot(pool, 'next', async () => 'ran', { pollMs: 5 })).toBe('ran');
  });
});
