/**
 * Loaded into every Node process of a pipeline run (`pnpm reproduce` puts
 * `--import <this file>` into NODE_OPTIONS and its own pid into SNN_RUN_PID). Turbo starts each
 * stage in a process group of its own, so killing `pnpm reproduce` and its group (even with
 * SIGKILL) used to leave the stage workers training and writing results. Here every such process
 * gets a watcher thread that checks once a second that the run is still alive and, when it is not,
 * kills its process. A thread, not a timer: a stage's training loop is synchronous tfjs work that
 * can keep the main event loop busy for a whole row, and a timer there would wait for it. Finished
 * rows and per-epoch checkpoints stay (writes are atomic), so the next `pnpm reproduce` resumes.
 * Plain Node, no imports beyond node:.
 */
import { isMainThread, Worker } from 'node:worker_threads';

const runPid = Number(process.env.SNN_RUN_PID);
if (isMainThread && Number.isInteger(runPid) && runPid > 1 && runPid !== process.pid) {
  const what = process.argv.slice(1).join(' ') || 'worker';
  const watcher = new Worker(
    `const { workerData: d } = require('node:worker_threads');
     const fs = require('node:fs');
     setInterval(() => {
       try {
         process.kill(d.runPid, 0);
       } catch (e) {
         if (e && e.code === 'ESRCH') {
           try { fs.writeSync(2, '[snn] pnpm reproduce (pid ' + d.runPid + ') has stopped; ' + d.what + ' (pid ' + d.pid + ') stops too\\n'); } catch {}
           process.kill(d.pid, 'SIGKILL');
         }
       }
     }, 1000);`,
    { eval: true, workerData: { runPid, pid: process.pid, what }, stdout: false, stderr: false, env: {}, execArgv: [] },
  );
  watcher.unref();
}
