import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from '@snn/reporting';
import { baseRow, computeOnce, lockHolder, RowBusy, runStage, tryLock, type RowResult } from '../src/index.js';
import { tempStage } from './helpers.js';

const quietOut = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
const dir = () => mkdtempSync(join(tmpdir(), 'snn-lock-'));

/** a pid that is certainly not running: a child that has exited */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** a lock file as another live process would write it (the test runner's parent is alive) */
function foreignLock(file: string, pid: number): void {
  writeFileSync(file, JSON.stringify({ pid, host: hostname(), what: 'other work', since: new Date().toISOString() }));
}

describe('work locks', () => {
  it('takes a free lock, reports a held one, and frees it on release', () => {
    const f = join(dir(), 'a.lock');
    const l = tryLock(f, 'job a');
    expect('release' in l).toBe(true);
    const again = tryLock(f, 'job a');
    expect('holder' in again && again.holder).toMatch(/job a \(pid \d+/);
    expect(lockHolder(f)).toMatch(/job a/);
    (l as { release(): void }).release();
    expect(existsSync(f)).toBe(false);
    expect(lockHolder(f)).toBeNull();
  });

  it('takes over a lock whose process is gone', () => {
    const f = join(dir(), 'b.lock');
    foreignLock(f, deadPid());
    expect(lockHolder(f)).toBeNull();
    const l = tryLock(f, 'job b');
    expect('release' in l).toBe(true);
    (l as { release(): void }).release();
  });

  it('computeOnce computes once, reuses after, and is busy while a live process holds the lock', async () => {
    const d = dir();
    const out = join(d, 'r.json');
    let computed = 0;
    const job = () =>
      computeOnce<number>({
        lockFile: `${out}.lock`,
        what: 'r',
        read: () => (existsSync(out) ? 42 : null),
        compute: () => {
          computed++;
          return 42;
        },
        write: () => writeFileSync(out, '42'),
      });
    foreignLock(`${out}.lock`, process.ppid);
    await expect(job()).rejects.toBeInstanceOf(RowBusy);
    expect(computed).toBe(0);
    foreignLock(`${out}.lock`, deadPid());
    expect(await job()).toEqual({ value: 42, reused: false });
    expect(await job()).toEqual({ value: 42, reused: true });
    expect(computed).toBe(1);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});

describe('runStage with busy rows', () => {
  it('runs the other rows first, retries the busy one, and writes results in config order', async () => {
    const { configPath, resultsDir } = tempStage('busy', {
      stage: 'busy',
      title: 'Busy',
      rows: [
        { id: 'a', topology: 'VGG5', method: 'agd', T: 5 },
        { id: 'b', topology: 'VGG7', method: 'agd', T: 5 },
      ],
    });
    const calls: string[] = [];
    let busyLeft = 2;
    const runRow = async (row: { id: string }): Promise<RowResult> => {
      calls.push(row.id);
      if (row.id === 'a' && busyLeft-- > 0) throw new RowBusy('shared run of a', 'another stage');
      return { metrics: [{ metric: 'accuracy', value: row.id === 'a' ? 1 : 2 }] };
    };
    process.env.SNN_BUSY_POLL_MS = '5';
    try {
      const s = await runStage({
        stage: 'busy',
        config: configPath,
        rowSchema: baseRow,
        runRow,
        profile: 'smoke',
        resultsDir,
        needsEngine: false,
        setExitCode: false,
        out: quietOut,
      });
      expect([s.ran, s.failed]).toEqual([2, 0]);
    } finally {
      delete process.env.SNN_BUSY_POLL_MS;
    }
    // a is deferred behind b, then (all rows left busy) polled until free
    expect(calls).toEqual(['a', 'b', 'a', 'a']);
    const res = readResults(join(resultsDir, 'busy', 'results.arrow'));
    expect(res.map((r) => [r.rowId, r.value])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });
});
