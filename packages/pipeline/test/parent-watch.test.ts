import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const watch = pathToFileURL(join(root, 'scripts', 'parent-watch.mjs')).href;
const tmp = mkdtempSync(join(tmpdir(), 'snn-watch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A "run": a node process that starts a worker the way Turbo does (own process group), with the
 * run's pid and the watcher in its environment, then waits forever. The worker writes its pid and
 * then runs `body`. Returns whether the worker lived while the run did, and whether it was gone
 * within 6 s of SIGKILL to the run.
 */
async function killRun(name: string, body: string): Promise<{ aliveWithRun: boolean; goneAfterKill: boolean }> {
  const pidFile = join(tmp, `${name}.pid`);
  const worker = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); ${body}`;
  const run = `
    const { spawn } = require('child_process');
    spawn(process.execPath, ['-e', ${JSON.stringify(worker)}], {
      detached: true, stdio: 'ignore',
      env: { ...process.env, SNN_RUN_PID: String(process.pid), NODE_OPTIONS: '--import=${watch}' },
    }).unref();
    setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', run], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
  const workerPid = Number(readFileSync(pidFile, 'utf8'));
  await new Promise((r) => setTimeout(r, 1500));
  const aliveWithRun = alive(workerPid); // the watcher leaves a worker of a live run alone
  parent.kill('SIGKILL');
  let gone = false;
  for (let i = 0; i < 60 && !gone; i++) {
    await new Promise((r) => setTimeout(r, 100));
    gone = !alive(workerPid);
  }
  if (!gone) process.kill(workerPid, 'SIGKILL');
  return { aliveWithRun, goneAfterKill: gone };
}

describe('a killed run leaves nothing running (scripts/parent-watch.mjs)', () => {
  it('a worker in its own process group exits within seconds of SIGKILL to the run', async () => {
    expect(await killRun('idle', 'setInterval(() => {}, 1000);')).toEqual({ aliveWithRun: true, goneAfterKill: true });
  });

  it('also stops a worker whose event loop is blocked by synchronous work (as a training loop is)', async () => {
    expect(await killRun('busy', 'for (;;) {}')).toEqual({ aliveWithRun: true, goneAfterKill: true });
  });

  it('is a no-op outside a run (no SNN_RUN_PID)', () => {
    const r = spawnSync(process.execPath, ['-e', 'setTimeout(() => process.stdout.write("done"), 1200)'], {
      env: { ...process.env, SNN_RUN_PID: '', NODE_OPTIONS: `--import=${watch}` },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('done');
  });
});
