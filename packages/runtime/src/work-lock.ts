// Shared work by content key across concurrent stage processes. A piece of work that several
// stages need (an AGD training run, STDP kernels, frozen features) is keyed by its content; the
// first process to want it takes `<key>.lock` (O_EXCL create), computes, writes the result
// atomically and removes the lock. Another process that finds the lock held does not wait on it
// mid-row: the row throws RowBusy, runStage runs the stage's other rows first and comes back to it,
// and sleeps only when every row left is busy (so two stages never wait on each other while
// holding a lock, and no core idles while other rows could run).
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/** Thrown by a row whose shared work is being computed by another process right now. */
export class RowBusy extends Error {
  constructor(
    readonly what: string,
    readonly holder: string,
  ) {
    super(`${what} is being computed by ${holder}`);
    this.name = 'RowBusy';
  }
}

export interface WorkLock {
  readonly file: string;
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  what: string;
  since: string;
}

const held = new Set<WorkLock>();
let exitHook = false;

function readHolder(file: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

function describeHolder(h: Holder | null, file: string): string {
  return h ? `${h.what} (pid ${h.pid} on ${h.host} since ${h.since})` : `an unknown process (${file})`;
}

/** Whether the lock's holder may still be working: a live pid on this host; elsewhere, a lock younger than maxAgeMs. */
function holderAlive(file: string, h: Holder | null, maxAgeMs: number): boolean {
  let age = Infinity;
  try {
    age = Date.now() - statSync(file).mtimeMs;
  } catch {
    return false;
  }
  if (!h) return age < 10_000; // being written right now, or garbage
  if (h.host !== hostname()) return age < maxAgeMs;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take `file` as a lock for `what`, or say who holds it. A lock whose process is gone (same host)
 * or that is older than `maxAgeMs` (another host) is stale and taken over. Locks still held when
 * the process exits are removed.
 */
export function tryLock(file: string, what: string, opts: { maxAgeMs?: number } = {}): WorkLock | { holder: string } {
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const h = readHolder(file);
      if (holderAlive(file, h, opts.maxAgeMs ?? 6 * 3600_000)) return { holder: describeHolder(h, file) };
      rmSync(file, { force: true }); // stale: its process is gone
      continue;
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), what, since: new Date().toISOString() }));
    closeSync(fd);
    const lock: WorkLock = {
      file,
      release() {
        if (!held.delete(lock)) return;
        // only remove it if it is still ours (a stale-lock takeover elsewhere must not be undone)
        const h = readHolder(file);
        if (h && h.pid === process.pid && h.host === hostname()) rmSync(file, { force: true });
      },
    };
    held.add(lock);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const l of [...held]) l.release();
      });
    }
    return lock;
  }
  return { holder: `a process that keeps re-taking ${file}` };
}

/** Whether `file` is a lock held right now by a live process (not by this call). */
export function lockHolder(file: string, opts: { maxAgeMs?: number } = {}): string | null {
  const h = readHolder(file);
  return holderAlive(file, h, opts.maxAgeMs ?? 6 * 3600_000) ? describeHolder(h, file) : null;
}

/** Run `fn` holding `lockFile`; throws RowBusy (and runs nothing) when another live process holds it. */
export async function withLock<T>(lockFile: string, what: string, fn: () => Promise<T> | T): Promise<T> {
  const lock = tryLock(lockFile, what);
  if ('holder' in lock) throw new RowBusy(what, lock.holder);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/**
 * Compute-once by content: return `read()` if the result exists; otherwise take `<file>.lock`,
 * compute, `write` and release. Throws RowBusy when another live process holds the lock.
 */
export async function computeOnce<T>(o: {
  lockFile: string;
  what: string;
  read: () => T | null;
  compute: () => Promise<T> | T;
  write: (v: T) => void;
}): Promise<{ value: T; reused: boolean }> {
  const ready = o.read();
  if (ready !== null) return { value: ready, reused: true };
  return withLock(o.lockFile, o.what, async () => {
    // another process may have finished it between our read and our lock
    const again = o.read();
    if (again !== null) return { value: again, reused: true };
    const v = await o.compute();
    o.write(v);
    return { value: v, reused: false };
  });
}
