/**
 * Loaded into every Node process of a pipeline run (`pnpm reproduce` puts
 * `--import <this file>` into NODE_OPTIONS and its own pid into SNN_RUN_PID). Turbo starts each
 * stage in a process group of its own, so killing `pnpm reproduce` and its group (even with
 * SIGKILL) used to leave the stage workers training and writing results. Here every such process
 * checks once a second that the run is still alive and exits when it is not. Its finished rows
 * and per-epoch checkpoints stay, so the next `pnpm reproduce` resumes. Plain Node, no imports.
 */
const runPid = Number(process.env.SNN_RUN_PID);
if (Number.isInteger(runPid) && runPid > 1 && runPid !== process.pid) {
  const timer = setInterval(() => {
    try {
      process.kill(runPid, 0);
    } catch (e) {
      if (e && e.code === 'ESRCH') {
        process.stderr.write(`[snn] pnpm reproduce (pid ${runPid}) has stopped; ${process.argv.slice(1).join(' ') || 'worker'} (pid ${process.pid}) stops too\n`);
        process.exit(130);
      }
    }
  }, 1000);
  timer.unref();
}
