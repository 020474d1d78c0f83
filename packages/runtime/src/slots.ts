// Job slots across the stage processes of one machine, as make's jobserver: `pnpm reproduce` lets
// Turbo start more stages than there are cores and sets SNN_SLOTS (the cores) and SNN_SLOT_DIR;
// each row takes one of the SNN_SLOTS slot locks while it computes and gives it back when done.
// A stage whose rows all wait on shared work that another stage is computing (RowBusy) holds no
// slot, so its core goes to a stage that can compute instead of idling.
import { join } from 'node:path';
import { tryLock } from './work-lock.js';

export interface SlotPool {
  /** folder of the slot locks (slot-0.lock ... slot-<n-1>.lock) */
  dir: string;
  /** rows computing at once (the cores) */
  n: number;
}

/** The pool `pnpm reproduce` set up (SNN_SLOTS, SNN_SLOT_DIR), or null: a stage run on its own takes no slot. */
export function slotPoolFromEnv(env: NodeJS.ProcessEnv = process.env): SlotPool | null {
  const n = Number(env.SNN_SLOTS);
  const dir = env.SNN_SLOT_DIR;
  if (!dir || !Number.isInteger(n) || n < 1) return null;
  return { dir, n };
}

/**
 * Run `fn` holding one slot of `pool` (no pool: run it at once). While every slot is held, look
 * again every `pollMs` and say so once through `onWait`. A slot whose process died is taken over
 * (tryLock's stale-lock rule), so a killed run never blocks the next one.
 */
export async function withSlot<T>(
  pool: SlotPool | null,
  what: string,
  fn: () => Promise<T>,
  o: { pollMs?: number; onWait?: (holders: string[]) => void } = {},
): Promise<T> {
  if (!pool) return fn();
  let waited = false;
  for (;;) {
    const holders: string[] = [];
    for (let i = 0; i < pool.n; i++) {
      const lock = tryLock(join(pool.dir, `slot-${i}.lock`), what);
      if ('holder' in lock) {
        holders.push(lock.holder);
        continue;
      }
      try {
        return await fn();
      } finally {
        lock.release();
      }
    }
    if (!waited) o.onWait?.(holders);
    waited = true;
    await new Promise((res) => setTimeout(res, o.pollMs ?? 250));
  }
}
