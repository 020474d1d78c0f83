/**
 * `pnpm faults`: the run-safety fault suite. Each case does to a real pipeline what a user or a
 * machine does by accident (damaged data, a killed run, a full or read-only disk, a mistyped flag,
 * two runs at once, uncommitted code) and asserts what must happen. It runs at the `smoke` profile
 * against scratch copies (SNN_DATA_DIR, SNN_RESULTS_DIR under a temp folder), so the checkout's own
 * data and results are never touched; it needs `artifacts/data` (any `pnpm reproduce` builds it).
 * `pnpm faults [case ...]` runs some cases (by number); CI runs all of them (.ci/run), last: the
 * report stage of its `--only` runs rewrites artifacts/report/ from the scratch results.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { repoRoot } from '../packages/pipeline/src/index.js';
import { readResults } from '../packages/reporting/src/index.js';

const root = repoRoot();
if (!existsSync(join(root, 'artifacts', 'data', 'cifar10', 'manifest.json'))) {
  process.stderr.write('faults: needs artifacts/data (run `pnpm reproduce --profile smoke` first)\n');
  process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), 'snn-faults-'));
const data = join(tmp, 'data');
cpSync(join(root, 'artifacts', 'data'), data, { recursive: true, preserveTimestamps: true });
const baseEnv = {
  ...process.env,
  SNN_PROFILE: 'smoke',
  SNN_DATA_DIR: data,
  TURBO_TELEMETRY_DISABLED: '1',
  FORCE_COLOR: '0',
};
delete (baseEnv as Record<string, string | undefined>).SNN_RESULTS_DIR;

interface Ran {
  code: number;
  out: string;
}
/** a fresh results folder for a case (its own folder, so its own AGD/STDP work caches beside it too) */
const results = (name: string): string => join(tmp, `case-${name}`, 'results');
async function stage(name: string, resultsDir: string, env: Record<string, string> = {}): Promise<Ran> {
  const r = await $({
    cwd: join(root, 'pipelines', name),
    env: { ...baseEnv, SNN_RESULTS_DIR: resultsDir, ...env },
    nothrow: true,
    quiet: true,
  })`pnpm -s stage`;
  return { code: r.exitCode ?? -1, out: r.stdout + r.stderr };
}
async function reproduce(args: string[], resultsDir: string): Promise<Ran> {
  const r = await $({
    cwd: root,
    env: { ...baseEnv, SNN_RESULTS_DIR: resultsDir },
    nothrow: true,
    quiet: true,
  })`pnpm -s reproduce ${args}`;
  return { code: r.exitCode ?? -1, out: r.stdout + r.stderr };
}
function check(ok: unknown, what: string, r?: Ran): asserts ok {
  if (!ok)
    throw new Error(`${what}${r ? `\n--- exit ${r.code}, output (last 1500 chars):\n${r.out.slice(-1500)}` : ''}`);
}
const count = (text: string, re: RegExp): number => (text.match(new RegExp(re.source, 'g')) ?? []).length;
const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');
const manifestSha = (name: string, file: string): string =>
  (JSON.parse(readFileSync(join(data, name, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> })
    .files[file]!.sha256;
const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));
const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim().slice(0, 160);
  } catch {
    return '(gone)';
  }
};
/** live processes of a run: their environment holds `marker` (the run's unique SNN_RESULTS_DIR); Turbo's own daemon aside */
function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(marker)) continue;
      if (/turbo.*daemon/.test(readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' '))) continue;
      out.push(Number(p));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

const cases: Array<[string, () => Promise<void>]> = [
  [
    'CIFAR-10 test images with a flipped byte (same size): the stage stops in one line; reproduce rebuilds the data',
    async () => {
      const f = join(data, 'cifar10', 'test-images.u8');
      const b = readFileSync(f);
      b[12345] ^= 0xff;
      writeFileSync(f, b);
      const dir = results('1');
      const r = await stage('table-10', dir);
      check(r.code === 1, 'stage exits 1', r);
      check(
        /test-images\.u8: content differs from its manifest/.test(r.out),
        'names the file and says the content differs',
        r,
      );
      check(count(r.out, /stopped, nothing recorded/) === 1, 'one line', r);
      check(!existsSync(join(dir, 'smoke', 'table-10', 'results.arrow')), 'no results written');
      check(!/^\s+at /m.test(r.out), 'no stack trace', r);
      const p = await reproduce(['--profile', 'smoke', '--only', 'table-10'], dir);
      check(p.code === 0, 'reproduce succeeds', p);
      check(
        /cifar10: existing copy invalid \(test-images\.u8 sha256 differs from manifest\); rebuilding/.test(p.out),
        'the data stage finds and rebuilds it',
        p,
      );
      check(sha(f) === manifestSha('cifar10', 'test-images.u8'), 'the rebuilt file matches its manifest');
      check(existsSync(join(dir, 'smoke', 'table-10', 'results.arrow')), 'then the stage runs');
    },
  ],
  [
    'MNIST truncated: the stage fails (not "skipped"), exit 1; reproduce rebuilds and the rows run',
    async () => {
      truncateSync(join(data, 'mnist', 'train-images.u8'), 1000);
      const dir = results('2');
      const r = await stage('ext-ttfs', dir);
      check(r.code === 1, 'stage exits 1 (Turbo caches nothing)', r);
      check(/train-images\.u8: 1000 bytes, its manifest says \d+/.test(r.out), 'names the file and both sizes', r);
      check(count(r.out, /train-images\.u8: 1000 bytes/) === 1, 'said once, not once per row', r);
      const p = await reproduce(['--profile', 'smoke', '--only', 'ext-ttfs'], dir);
      check(p.code === 0 && /mnist: existing copy invalid/.test(p.out), 'reproduce rebuilds MNIST and runs', p);
      check(
        readResults(join(dir, 'smoke', 'ext-ttfs', 'results.arrow')).every((x) => x.status === 'ok'),
        'every row ok',
      );
    },
  ],
  [
    'artifacts/data deleted: reproduce rebuilds it (the data stage is never a Turbo cache hit)',
    async () => {
      rmSync(join(data, 'cifar10'), { recursive: true });
      rmSync(join(data, 'mnist'), { recursive: true });
      const p = await reproduce(['--profile', 'smoke', '--only', 'table-10'], results('3'));
      check(p.code === 0, 'reproduce succeeds', p);
      check(
        existsSync(join(data, 'cifar10', 'manifest.json')) && existsSync(join(data, 'mnist', 'manifest.json')),
        'both datasets are back',
        p,
      );
    },
  ],
  [
    'kill -9 of pnpm reproduce and its process group: no stage worker survives, nothing is written after the kill',
    async () => {
      const dir = results('4');
      const child = spawn('pnpm', ['-s', 'reproduce', '--profile', 'smoke', '--only', 'table-08'], {
        cwd: root,
        env: { ...baseEnv, SNN_RESULTS_DIR: dir },
        detached: true,
        stdio: 'ignore',
      });
      const lock = join(dir, 'smoke', 'table-08', '.stage.lock');
      for (let i = 0; i < 600 && !existsSync(lock); i++) await sleep(200);
      check(existsSync(lock), 'the stage started (its lock exists)');
      await sleep(2000);
      process.kill(-child.pid!, 'SIGKILL');
      await sleep(5000);
      const left = processesWith(`SNN_RESULTS_DIR=${dir}`);
      check(
        left.length === 0,
        `no process of the run is left (found: ${left.map((p) => `${p} ${cmdline(p)}`).join('; ')})`,
      );
      check(!existsSync(join(dir, 'smoke', 'table-08', 'results.arrow')), 'no results.arrow written after the kill');
    },
  ],
  [
    'bad flags (--profle smoke, --bogus, --only without a value): one line and usage, exit 2, nothing starts',
    async () => {
      for (const args of [['--profle', 'smoke'], ['--bogus'], ['--only']]) {
        const r = await reproduce(args, results('5'));
        check(r.code === 2, `${args.join(' ')}: exit 2`, r);
        check(
          r.out.trim().split('\n').length === 2 && /usage: pnpm reproduce/.test(r.out),
          `${args.join(' ')}: one line and the usage`,
          r,
        );
        check(!existsSync(results('5')), `${args.join(' ')}: nothing ran`);
      }
    },
  ],
  [
    'a stage with its own Turbo env list (table-04) still hashes the profile',
    async () => {
      const hash = async (profile: string): Promise<string> => {
        const r = await $({
          cwd: root,
          env: { ...baseEnv, SNN_PROFILE: profile },
          quiet: true,
        })`node_modules/.bin/turbo run stage --dry=json --filter=@snn/stage-table-04`;
        return (JSON.parse(r.stdout) as { tasks: Array<{ taskId: string; hash: string }> }).tasks.find(
          (t) => t.taskId === '@snn/stage-table-04#stage',
        )!.hash;
      };
      check((await hash('smoke')) !== (await hash('quick')), 'smoke and quick give table-04 different Turbo hashes');
    },
  ],
  [
    'results folder not writable: the stage stops before any row trains, one line with the path, no temp files',
    async () => {
      const dir = results('7');
      const st = join(dir, 'smoke', 'table-10');
      mkdirSync(st, { recursive: true });
      writeFileSync(join(st, 'rows'), 'a file where the rows folder should be'); // unwritable even for root
      const r = await stage('table-10', dir);
      check(r.code === 1, 'exit 1', r);
      check(
        /stopped, nothing recorded: cannot write .*table-10\/rows\/\.write-probe-\d+: a file stands where its folder should be/.test(
          r.out,
        ),
        'one line naming the path and the reason',
        r,
      );
      check(!/epoch 1\//.test(r.out), 'no row trained', r);
      check(
        readdirSync(st).every((f) => !f.includes('.tmp')),
        'no temp files left',
      );
    },
  ],
  [
    'Adam at lr 1e30 (a loss that explodes but stays finite) is divergence, not a result',
    async () => {
      const r = await $({
        cwd: root,
        env: baseEnv,
        nothrow: true,
        quiet: true,
      })`node_modules/.bin/vitest run packages/trainers-agd/test/train.test.ts -t ${'divergence'}`;
      check(r.exitCode === 0, 'the divergence tests pass', { code: r.exitCode ?? -1, out: r.stdout + r.stderr });
    },
  ],
  [
    'two profiles: a smoke run leaves the quick results as they were',
    async () => {
      const dir = results('9');
      const quick = join(dir, 'quick', 'table-10');
      mkdirSync(quick, { recursive: true });
      writeFileSync(join(quick, 'results.arrow'), 'quick results stand-in');
      const r = await stage('table-10', dir);
      check(r.code === 0, 'smoke stage runs', r);
      check(readFileSync(join(quick, 'results.arrow'), 'utf8') === 'quick results stand-in', 'quick results untouched');
      check(existsSync(join(dir, 'smoke', 'table-10', 'results.arrow')), 'smoke results in their own folder');
    },
  ],
  [
    'the same stage twice from clean: byte-identical results (timing is kept apart)',
    async () => {
      const [a, b] = [results('10a'), results('10b')]; // separate result folders, so separate AGD run caches too
      for (const d of [a, b]) {
        const r = await stage('table-10', d);
        check(r.code === 0, 'stage runs', r);
      }
      for (const f of ['results.arrow', 'activity.arrow', 'series.arrow']) {
        check(sha(join(a, 'smoke', 'table-10', f)) === sha(join(b, 'smoke', 'table-10', f)), `${f} identical`);
      }
      check(existsSync(join(a, 'smoke', 'table-10', 'timing.json')), 'timing.json beside them');
    },
  ],
  [
    'a cached stage says "cached" in the run summary',
    async () => {
      const dir = results('11');
      const first = await reproduce(['--profile', 'smoke', '--only', 'table-10'], dir);
      check(first.code === 0, 'first run', first);
      const again = await reproduce(['--profile', 'smoke', '--only', 'table-10'], dir);
      check(
        again.code === 0 && /table-10\s+cached\s+restored from the Turbo cache/.test(again.out),
        'second run: cached',
        again,
      );
    },
  ],
  [
    'uncommitted code: rows record <sha>-dirty+diff.<hash of the diff>',
    async () => {
      const src = join(root, 'pipelines', 'params', 'src', 'main.ts');
      const before = readFileSync(src);
      try {
        writeFileSync(src, `${before.toString()}\n// faults: an uncommitted change\n`);
        const dir = results('12');
        const r = await stage('params', dir);
        check(r.code === 0, 'stage runs', r);
        const v = readResults(join(dir, 'smoke', 'params', 'results.arrow'))[0]?.codeVersion ?? '';
        check(/-dirty\+diff\.[0-9a-f]{12}$/.test(v), `code version names the diff (got '${v}')`);
      } finally {
        writeFileSync(src, before);
      }
    },
  ],
  [
    'two runs of one stage at once: the second waits with one line, both finish, same results',
    async () => {
      const dir = results('13');
      const [a, b] = await Promise.all([stage('table-10', dir), sleep(1500).then(() => stage('table-10', dir))]);
      check(a.code === 0 && b.code === 0, 'both exit 0', a.code !== 0 ? a : b);
      check(
        count(a.out + b.out, /waiting: another run holds stage table-10 at profile smoke/) === 1,
        'one waiting line',
        b,
      );
      const rows = (
        JSON.parse(readFileSync(join(root, 'pipelines', 'table-10', 'config.json'), 'utf8')) as { rows: unknown[] }
      ).rows.length;
      const all = new RegExp(`${rows} rows: 0 run, ${rows} cached`);
      check(all.test(b.out) || all.test(a.out), `the second reuses every row the first finished (${rows})`, b);
    },
  ],
  [
    'data with other bytes (a consistent manifest, e.g. another local source) is never a Turbo cache hit',
    async () => {
      const dir = results('14');
      const hashOf = async (): Promise<string> => {
        const r = await reproduce(['--profile', 'smoke', '--only', 'table-10', '--dry'], dir);
        check(r.code === 0, 'dry run', r);
        return (/@snn\/stage-table-10#stage\s+([0-9a-f]+)/.exec(r.out) ?? [])[1] ?? '';
      };
      const before = await hashOf();
      const m = join(data, 'mnist', 'manifest.json');
      const saved = readFileSync(m);
      try {
        const j = JSON.parse(saved.toString()) as { files: Record<string, { sha256: string }> };
        j.files['test-labels.u8']!.sha256 = '0'.repeat(64);
        writeFileSync(m, JSON.stringify(j));
        const after = await hashOf();
        check(
          before !== '' && after !== '' && before !== after,
          `table-10's Turbo hash follows the data content (${before} -> ${after})`,
        );
      } finally {
        writeFileSync(m, saved);
      }
    },
  ],
];

const pick = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
let failed = 0;
const t0 = Date.now();
for (const [k, [name, run]] of cases.entries()) {
  if (pick.length && !pick.includes(k + 1)) continue;
  const t = Date.now();
  try {
    await run();
    process.stdout.write(`ok   ${String(k + 1).padStart(2)} ${name} (${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
  } catch (e) {
    failed++;
    process.stdout.write(
      `FAIL ${String(k + 1).padStart(2)} ${name}\n     ${(e as Error).message.split('\n').join('\n     ')}\n`,
    );
  }
}
rmSync(tmp, { recursive: true, force: true });
process.stdout.write(
  `faults: ${failed ? `${failed} failed` : 'all passed'} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`,
);
process.exit(failed ? 1 : 0);
