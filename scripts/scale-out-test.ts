/**
 * `pnpm test:scale`: the scale-out test on one machine. It starts `turborepo-remote-cache` on
 * 127.0.0.1 with local-disk storage, makes clean clones of this checkout's HEAD, runs
 * `pnpm reproduce --profile smoke --shard 1/2` and `--shard 2/2` in two of them at once (both
 * pushing to the shared cache), then a plain `pnpm reproduce --profile smoke` in a third clean
 * clone, which must restore every stage from the cache (no stage task misses; the data stage always
 * runs, by design) and produce results byte-identical to a single-machine run and the same report.
 * The single-machine reference is `--reference <artifacts/results/smoke of a wasm run>` (CI passes
 * the one its own wasm smoke run wrote), else a fourth clone runs it. All runs use the wasm engine
 * (clones install with SNN_NATIVE=0: no native build per clone), and one shared, read-only data
 * folder (SNN_DATA_DIR). The server is stopped at the end, whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { $ } from 'zx';
import { repoRoot } from '../packages/pipeline/src/index.js';

const { values } = parseArgs({ options: { reference: { type: 'string' }, keep: { type: 'boolean' } } });
const root = repoRoot();
const data = join(root, 'artifacts', 'data');
if (!existsSync(join(data, 'cifar10', 'manifest.json'))) {
  process.stderr.write('test:scale: needs artifacts/data (run `pnpm reproduce --profile smoke` first)\n');
  process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), 'snn-scale-'));
const t0 = Date.now();
const secs = (t: number): string => `${((Date.now() - t) / 1000).toFixed(0)} s`;
const log = (m: string): void => {
  process.stdout.write(`[scale] ${m}\n`);
};

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

const port = await freePort();
const token = randomBytes(16).toString('hex');
const turboEnv = { TURBO_API: `http://127.0.0.1:${port}`, TURBO_TOKEN: token, TURBO_TEAM: 'lab' };
const runEnv = {
  ...process.env,
  SNN_DATA_DIR: data,
  SNN_BACKEND: 'wasm',
  SNN_NATIVE: '0',
  TURBO_TELEMETRY_DISABLED: '1',
  FORCE_COLOR: '0',
};
for (const k of ['SNN_RESULTS_DIR', 'SNN_PROFILE', 'TURBO_API', 'TURBO_TOKEN', 'TURBO_TEAM'])
  delete (runEnv as Record<string, string | undefined>)[k];

let server: ChildProcess | undefined;
let failed = false;
const check = (ok: unknown, what: string): void => {
  log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failed = true;
};
const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');
/** `<stage>/<file>` -> sha256 of every Arrow file below a results/<profile> folder */
function arrows(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const st of readdirSync(dir).sort()) {
    if (!statSync(join(dir, st)).isDirectory()) continue;
    for (const f of ['results.arrow', 'activity.arrow', 'series.arrow'])
      if (existsSync(join(dir, st, f))) out.set(`${st}/${f}`, sha(join(dir, st, f)));
  }
  return out;
}

async function clone(name: string): Promise<string> {
  const dir = join(tmp, name);
  await $({ quiet: true })`git clone -q ${root} ${dir}`;
  await $({ cwd: dir, env: runEnv, quiet: true })`pnpm install --frozen-lockfile --prefer-offline`;
  return dir;
}
async function reproduce(
  dir: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string; seconds: number }> {
  const t = Date.now();
  const r = await $({
    cwd: dir,
    env: { ...runEnv, ...env },
    nothrow: true,
    quiet: true,
  })`pnpm -s reproduce --profile smoke ${args}`;
  return { code: r.exitCode ?? -1, out: r.stdout + r.stderr, seconds: (Date.now() - t) / 1000 };
}

try {
  const store = join(tmp, 'cache-store');
  server = spawn(join(root, 'node_modules', '.bin', 'turborepo-remote-cache'), [], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      TURBO_TOKEN: token,
      STORAGE_PROVIDER: 'local',
      STORAGE_PATH: store,
      STORAGE_PATH_USE_TMP_FOLDER: 'false',
      LOG_LEVEL: 'warn',
      ENABLE_STATUS_LOG: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${turboEnv.TURBO_API}/v8/artifacts/status`, {
      headers: { Authorization: `Bearer ${token}` },
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`turborepo-remote-cache on ${turboEnv.TURBO_API} (local storage ${store})`);

  let t = Date.now();
  const [a, b, c] = await Promise.all([clone('shard-1'), clone('shard-2'), clone('assemble')]);
  const refRun = values.reference ? undefined : clone('single');
  log(`clean clones of HEAD installed (${secs(t)})`);

  t = Date.now();
  const [s1, s2] = await Promise.all([
    reproduce(a, ['--shard', '1/2'], turboEnv),
    reproduce(b, ['--shard', '2/2'], turboEnv),
  ]);
  log(`shard 1/2: ${s1.seconds.toFixed(0)} s, shard 2/2: ${s2.seconds.toFixed(0)} s (run at once, ${secs(t)} wall)`);
  check(
    s1.code === 0 && s2.code === 0,
    `both shards succeed${s1.code || s2.code ? `\n${(s1.code ? s1 : s2).out.slice(-2000)}` : ''}`,
  );
  for (const [i, s] of [s1, s2].entries())
    log(`  shard ${i + 1}: ${(/shard \d\/2 \(profile smoke[^\n]*/.exec(s.out) ?? [''])[0]}`);

  t = Date.now();
  const asm = await reproduce(c, [], turboEnv);
  log(`assembling run: ${asm.seconds.toFixed(0)} s`);
  check(asm.code === 0, `the assembling run succeeds${asm.code ? `\n${asm.out.slice(-2000)}` : ''}`);
  const lines = asm.out.split('\n').filter((l) => /^ {2}\S+\s+(ran|cached|FAILED)/.test(l));
  const ran = lines.filter((l) => /^ {2}(\S+)\s+ran/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
  check(
    ran.length > 0 && ran.every((s) => s === 'data' || s === 'report'),
    `every stage restored from the remote cache (ran here: ${ran.join(', ') || 'none'}; data always runs, the report only when its inputs are new)`,
  );

  let ref: string;
  if (values.reference) ref = resolve(values.reference);
  else {
    const d = await refRun!;
    const single = await reproduce(d, [], {});
    check(
      single.code === 0,
      `the single-machine reference run succeeds${single.code ? `\n${single.out.slice(-2000)}` : ''}`,
    );
    log(`single-machine reference run (no remote cache): ${single.seconds.toFixed(0)} s`);
    ref = join(d, 'artifacts', 'results', 'smoke');
  }
  const want = arrows(ref);
  const got = arrows(join(c, 'artifacts', 'results', 'smoke'));
  const differ = [...want].filter(([k, v]) => got.get(k) !== v).map(([k]) => k);
  check(
    want.size > 0 && got.size === want.size && differ.length === 0,
    `results byte-identical to the single-machine run (${got.size} Arrow files vs ${want.size}${differ.length ? `; differ: ${differ.join(', ')}` : ''})`,
  );
  const refReport = join(ref, '..', '..', 'report');
  if (existsSync(refReport)) {
    const md = readdirSync(refReport).filter((f) => f.endsWith('.md'));
    const mdDiffer = md.filter(
      (f) =>
        !existsSync(join(c, 'artifacts', 'report', f)) ||
        sha(join(refReport, f)) !== sha(join(c, 'artifacts', 'report', f)),
    );
    check(
      md.length > 0 && mdDiffer.length === 0,
      `the same report (${md.length} Markdown files${mdDiffer.length ? `; differ: ${mdDiffer.join(', ')}` : ''})`,
    );
  }
} catch (e) {
  check(false, (e as Error).message);
} finally {
  server?.kill('SIGTERM');
  if (!values.keep) rmSync(tmp, { recursive: true, force: true });
  else log(`kept ${tmp}`);
}
log(`${failed ? 'FAILED' : 'passed'} in ${secs(t0)}`);
process.exit(failed ? 1 : 0);
