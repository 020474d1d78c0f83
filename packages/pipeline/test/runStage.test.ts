import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readActivity, readResults, readSeries } from '@snn/reporting';
import { baseRow, runStage, RowSkipped, tryLock, WriteError, type RowResult } from '../src/index.js';
import { sameEngine } from '../src/runStage.js';
import { tempStage } from './helpers.js';

const config = {
  stage: 'demo',
  title: 'Demo',
  rows: [
    { id: 'r1', topology: 'VGG5', method: 'agd', T: 5, paper: { accuracy: 88.1 } },
    { id: 'r2', topology: 'VGG7', method: 'agd', T: 5, paper: { accuracy: 'fails to train' } },
    { id: 'r3', topology: 'VGG3x4', method: 'agd', T: 5 },
    { id: 'r4', topology: 'VGG16', method: 'conversion', T: 2500, skip: 'needs ImageNet' },
  ],
};
const quietOut = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

describe('runStage', () => {
  it('runs rows, writes tidy Arrow, resumes without rerunning done rows', async () => {
    const { configPath, resultsDir } = tempStage('demo', config);
    const calls: string[] = [];
    const dirs: string[] = [];
    const runRow = async (
      row: { id: string; T?: number },
      ctx: { seed: number; checkpointDir: string; profile: string },
    ): Promise<RowResult> => {
      calls.push(row.id);
      expect(existsSync(ctx.checkpointDir)).toBe(true);
      dirs.push(ctx.checkpointDir);
      return {
        metrics: [{ metric: 'accuracy', value: 50 + calls.length, unit: '%' }],
        reconstructed: true,
        activity: [{ layer: 'conv1', unrollStep: 1, rate: 0.2, perStep: [0.1, 0.3] }],
      };
    };
    const opts = {
      stage: 'demo',
      config: configPath,
      rowSchema: baseRow,
      runRow,
      profile: 'smoke' as const,
      resultsDir,
      needsEngine: false,
      setExitCode: false,
      out: quietOut,
    };
    const s1 = await runStage(opts);
    expect([s1.ran, s1.cached, s1.failed, s1.skipped]).toEqual([3, 0, 0, 1]);
    expect(calls).toEqual(['r1', 'r2', 'r3']);

    const res = readResults(join(resultsDir, 'demo', 'results.arrow'));
    const r1 = res.find((r) => r.rowId === 'r1')!;
    expect(r1).toMatchObject({
      table: 'demo',
      metric: 'accuracy',
      value: 51,
      paper: 88.1,
      paperText: null,
      profile: 'smoke',
      T: 5,
      topology: 'VGG5',
      method: 'agd',
      status: 'ok',
      reconstructed: true,
      engine: 'none',
      seed: 0,
    });
    expect(r1.configHash).toMatch(/^[0-9a-f]{16}$/);
    expect(r1.codeVersion.length).toBeGreaterThan(0);
    expect(r1.codeHash).toMatch(/^[0-9a-f]{16}$/);
    // epoch checkpoints live per row, code version and engine: a code change (or another engine) never resumes old weights
    expect(dirs[0].endsWith(`${r1.configHash}-${r1.codeHash.slice(0, 12)}-none`)).toBe(true);
    expect(res.find((r) => r.rowId === 'r2')!.paperText).toBe('fails to train');
    expect(res.find((r) => r.rowId === 'r4')).toMatchObject({
      status: 'skipped',
      error: 'needs ImageNet',
      metric: 'status',
      value: null,
    });
    const act = readActivity(join(resultsDir, 'demo', 'activity.arrow'));
    expect(act.filter((a) => a.rowId === 'r1').map((a) => [a.step, a.rate])).toEqual([
      [null, 0.2],
      [0, 0.1],
      [1, 0.3],
    ]);

    const s2 = await runStage(opts);
    expect([s2.ran, s2.cached]).toEqual([0, 3]);
    expect(calls).toHaveLength(3); // nothing reran
    const res2 = readResults(join(resultsDir, 'demo', 'results.arrow'));
    expect(res2.find((r) => r.rowId === 'r1')!.value).toBe(51); // the checkpointed value, not a new run
    expect(readdirSync(join(resultsDir, 'demo')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const s3 = await runStage({ ...opts, profile: 'quick' }); // profile is part of the identity
    expect(s3.ran).toBe(3);
  });

  it('reruns finished rows when a declared input file changes', async () => {
    const { configPath, resultsDir } = tempStage('demo', { ...config, rows: config.rows.slice(0, 2) });
    const input = join(configPath, '..', 'upstream.txt');
    writeFileSync(input, 'v1');
    let calls = 0;
    const runRow = async (): Promise<RowResult> => ({ metrics: [{ metric: 'accuracy', value: ++calls }] });
    const opts = {
      stage: 'demo',
      config: configPath,
      rowSchema: baseRow,
      runRow,
      profile: 'smoke' as const,
      resultsDir,
      needsEngine: false,
      setExitCode: false,
      out: quietOut,
      inputs: [input],
    };
    expect((await runStage(opts)).ran).toBe(2);
    expect((await runStage(opts)).cached).toBe(2);
    writeFileSync(input, 'v2');
    expect((await runStage(opts)).ran).toBe(2);
  });

  it("reruns finished rows when the datasets' content changes (not when a rebuild gives the same bytes)", async () => {
    const { root, configPath, resultsDir } = tempStage('demo', { ...config, rows: config.rows.slice(0, 1) });
    const saved = process.env.SNN_DATA_DIR;
    process.env.SNN_DATA_DIR = join(root, 'data');
    try {
      mkdirSync(join(root, 'data', 'cifar10'), { recursive: true });
      const m = (sha: string, at: string): void =>
        writeFileSync(
          join(root, 'data', 'cifar10', 'manifest.json'),
          JSON.stringify({ createdAt: at, files: { 'test-images.u8': { sha256: sha } } }),
        );
      m('aa', 'monday');
      let calls = 0;
      const opts = {
        stage: 'demo',
        config: configPath,
        rowSchema: baseRow,
        runRow: async (): Promise<RowResult> => ({ metrics: [{ metric: 'accuracy', value: ++calls }] }),
        profile: 'smoke' as const,
        resultsDir,
        needsEngine: false,
        setExitCode: false,
        out: quietOut,
      };
      expect((await runStage(opts)).ran).toBe(1);
      m('aa', 'tuesday');
      expect((await runStage(opts)).cached).toBe(1);
      m('bb', 'tuesday');
      expect((await runStage(opts)).ran).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.SNN_DATA_DIR;
      else process.env.SNN_DATA_DIR = saved;
    }
  });

  it('two checkouts in different folders give byte-identical results, declared input files included', async () => {
    const bytes: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      const { configPath, resultsDir } = tempStage('demo', { ...config, rows: config.rows.slice(0, 2) });
      const input = join(configPath, '..', 'upstream.arrow');
      writeFileSync(input, 'same upstream results');
      await runStage({
        stage: 'demo',
        config: configPath,
        rowSchema: baseRow,
        profile: 'smoke',
        resultsDir,
        needsEngine: false,
        setExitCode: false,
        out: quietOut,
        inputs: [input],
        runRow: async () => ({ metrics: [{ metric: 'accuracy', value: 7 }] }),
      });
      bytes.push(readFileSync(join(resultsDir, 'demo', 'results.arrow')));
    }
    expect(Buffer.compare(bytes[0]!, bytes[1]!)).toBe(0);
  });

  it('records a throwing row as failed, goes on, and retries it next time', async () => {
    const { configPath, resultsDir } = tempStage('demo', config);
    let fail = true;
    const runRow = async (row: { id: string }): Promise<RowResult> => {
      if (row.id === 'r2' && fail) throw new Error('diverged: loss is NaN');
      if (row.id === 'r3') throw new RowSkipped('dataset absent');
      return { metrics: [{ metric: 'accuracy', value: 10 }] };
    };
    const opts = {
      stage: 'demo',
      config: configPath,
      rowSchema: baseRow,
      runRow,
      profile: 'smoke' as const,
      resultsDir,
      needsEngine: false,
      setExitCode: false,
      out: quietOut,
    };
    const s = await runStage(opts);
    expect([s.ran, s.failed, s.skipped]).toEqual([1, 1, 2]);
    expect(s.failures[0]).toMatchObject({ rowId: 'r2', error: 'diverged: loss is NaN' });
    const res = readResults(join(resultsDir, 'demo', 'results.arrow'));
    expect(res.find((r) => r.rowId === 'r2')).toMatchObject({ status: 'failed', metric: 'status' });
    expect(res.find((r) => r.rowId === 'r2')!.error).toContain('diverged');
    expect(res.find((r) => r.rowId === 'r3')).toMatchObject({ status: 'skipped', error: 'dataset absent' });
    expect(JSON.parse(readFileSync(join(resultsDir, 'demo', 'summary.json'), 'utf8')).failed).toBe(1);

    fail = false;
    const s2 = await runStage(opts);
    expect([s2.ran, s2.cached, s2.failed]).toEqual([1, 1, 0]);
  });

  it('stops the whole stage on bad input (abortsStage): one line, no results, no finished rows, exit 1', async () => {
    const { configPath, resultsDir } = tempStage('demo', config);
    const calls: string[] = [];
    let damaged = true;
    const dataError = Object.assign(
      new Error('artifacts/data/mnist/test-images.u8: content differs from its manifest'),
      { abortsStage: true },
    );
    const runRow = async (row: { id: string }): Promise<RowResult> => {
      calls.push(row.id);
      if (row.id === 'r2' && damaged) throw dataError;
      return { metrics: [{ metric: 'accuracy', value: 10 }] };
    };
    const lines: string[] = [];
    const out = {
      write: (m: string) => {
        lines.push(m);
        return true;
      },
      isTTY: false,
    } as unknown as NodeJS.WriteStream;
    const before = process.exitCode;
    const s = await runStage({
      stage: 'demo',
      config: configPath,
      rowSchema: baseRow,
      runRow,
      profile: 'smoke',
      resultsDir,
      needsEngine: false,
      out,
    });
    expect(process.exitCode).toBe(1);
    process.exitCode = before;
    expect(calls).toEqual(['r1', 'r2']); // r3 never tried
    expect(s.aborted).toBe('artifacts/data/mnist/test-images.u8: content differs from its manifest (row r2)');
    expect(existsSync(join(resultsDir, 'demo', 'results.arrow'))).toBe(false);
    expect(JSON.parse(readFileSync(join(resultsDir, 'demo', 'summary.json'), 'utf8')).aborted).toContain(
      'content differs',
    );
    expect(readdirSync(join(resultsDir, 'demo', 'rows')).filter((f) => f.includes('failed'))).toEqual([]);
    expect(lines.filter((l) => l.includes('content differs'))).toHaveLength(1);
    damaged = false; // repaired: the stage runs; r1 finished before the damage was found and is reused
    const s2 = await runStage({
      stage: 'demo',
      config: configPath,
      rowSchema: baseRow,
      runRow,
      profile: 'smoke',
      resultsDir,
      needsEngine: false,
      setExitCode: false,
      out: quietOut,
    });
    expect([s2.ran, s2.cached, s2.failed, s2.aborted]).toEqual([2, 1, 0, undefined]);
  });

  it('keeps timing out of results.arrow: the same rows run twice from clean give the same bytes; timing.json has the wall times', async () => {
    const { configPath, resultsDir } = tempStage('demo', config);
    let n = 0;
    const runRow = async (): Promise<RowResult> => ({
      metrics: [
        { metric: 'accuracy', value: 42, unit: '%' },
        { metric: 'throughput', value: 100 + ++n, unit: 'img/s' }, // differs on every run, as a real one does
      ],
    });
    const opts = {
      stage: 'demo',
      config: configPath,
      rowSchema: baseRow,
      runRow,
      profile: 'smoke' as const,
      resultsDir,
      needsEngine: false,
      setExitCode: false,
      out: quietOut,
    };
    await runStage(opts);
    const first = readFileSync(join(resultsDir, 'demo', 'results.arrow'));
    const t1 = JSON.parse(readFileSync(join(resultsDir, 'demo', 'timing.json'), 'utf8'));
    rmSync(join(resultsDir, 'demo'), { recursive: true });
    await runStage(opts);
    expect(Buffer.compare(first, readFileSync(join(resultsDir, 'demo', 'results.arrow')))).toBe(0);
    const res = readResults(join(resultsDir, 'demo', 'results.arrow'));
    expect(res.map((r) => r.metric)).not.toContain('throughput');
    expect(Object.keys(res[0]!)).not.toContain('wallSeconds');
    const t2 = JSON.parse(readFileSync(join(resultsDir, 'demo', 'timing.json'), 'utf8'));
    expect(t1.rows.r1['throughput (img/s)']).toBe(101);
    expect(t2.rows.r1).toMatchObject({ cached: false, 'throughput (img/s)': 104 });
    expect(typeof t2.rows.r1.wall_seconds).toBe('number');
    expect(readSeries(join(resultsDir, 'demo', 'series.arrow'))).toEqual([]);
    await runStage(opts); // resumed rows keep the timing they were made with
    expect(JSON.parse(readFileSync(join(resultsDir, 'demo', 'timing.json'), 'utf8')).rows.r1).toMatchObject({
      cached: true,
      'throughput (img/s)': 104,
    });
  });

  it('writes the curves rows measured (series.arrow), in config order, resumed rows included', async () => {
    const { configPath, resultsDir } = tempStage('demo', { ...config, rows: config.rows.slice(0, 2) });
    const runRow = async (row: { id: string }): Promise<RowResult> => ({
      metrics: [{ metric: 'accuracy', value: 1 }],
      series: row.id === 'r1' ? [1, 2, 4].map((t) => ({ series: 'accuracy_vs_t', x: t, y: 10 * t })) : undefined,
    });
    const opts = {
      stage: 'demo',
      config: configPath,
      rowSchema: baseRow,
      runRow,
      profile: 'smoke' as const,
      resultsDir,
      needsEngine: false,
      setExitCode: false,
      out: quietOut,
    };
    for (let i = 0; i < 2; i++) {
      await runStage(opts);
      const c = readSeries(join(resultsDir, 'demo', 'series.arrow'));
      expect(c.map((p) => [p.rowId, p.series, p.x, p.y, p.topology, p.T])).toEqual(
        [1, 2, 4].map((t) => ['r1', 'accuracy_vs_t', t, 10 * t, 'VGG5', 5]),
      );
    }
  });

  it('an unwritable results folder stops the stage before any row trains: one line naming it, no temp files, exit 1', async () => {
    const { configPath, resultsDir } = tempStage('demo', config);
    mkdirSync(join(resultsDir, 'demo'), { recursive: true });
    writeFileSync(join(resultsDir, 'demo', 'rows'), 'a file where the rows folder should be'); // fails even for root
    const lines: string[] = [];
    const out = {
      write: (m: string) => {
        lines.push(m);
        return true;
      },
      isTTY: false,
    } as unknown as NodeJS.WriteStream;
    const before = process.exitCode;
    const calls: string[] = [];
    const s = await runStage({
      stage: 'demo',
      config: configPath,
      rowSchema: baseRow,
      profile: 'smoke',
      resultsDir,
      needsEngine: false,
      out,
      runRow: async (row: { id: string }) => {
        calls.push(row.id);
        return { metrics: [{ metric: 'accuracy', value: 1 }] };
      },
    });
    expect(process.exitCode).toBe(1);
    process.exitCode = before;
    expect(calls).toEqual([]);
    expect(s.aborted).toMatch(
      /^cannot write .*demo\/rows\/\.write-probe-\d+: a file stands where its folder should be \(EEXIST\)$/,
    );
    expect(lines.filter((l) => l.startsWith('[demo] stopped'))).toHaveLength(1);
    expect(readdirSync(join(resultsDir, 'demo')).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a row whose own files cannot be written fails in one line with the path; later rows are still tried', async () => {
    const { configPath, resultsDir } = tempStage('demo', config);
    const runRow = async (row: { id: string }): Promise<RowResult> => {
      if (row.id === 'r1') throw new WriteError('/ckpt/epoch-3.json', 'ENOSPC', 'no space left on the device');
      return { metrics: [{ metric: 'accuracy', value: 1 }] };
    };
    const s = await runStage({
      stage: 'demo',
      config: configPath,
      rowSchema: baseRow,
      runRow,
      profile: 'smoke',
      resultsDir,
      needsEngine: false,
      setExitCode: false,
      out: quietOut,
    });
    expect([s.ran, s.failed]).toEqual([2, 1]);
    expect(s.failures[0]).toEqual({
      rowId: 'r1',
      error: 'cannot write /ckpt/epoch-3.json: no space left on the device (ENOSPC)',
    });
    const rec = readResults(join(resultsDir, 'demo', 'results.arrow')).find((r) => r.rowId === 'r1')!;
    expect(rec.error).toBe('cannot write /ckpt/epoch-3.json: no space left on the device (ENOSPC)'); // no stack in the result
    expect(
      JSON.parse(readFileSync(join(resultsDir, 'demo', 'rows', `${rec.configHash}.failed.json`), 'utf8')).stack,
    ).toContain('WriteError');
  });

  it('one run per stage and profile at a time: a second waits with one line, then reuses what the first finished', async () => {
    const { configPath, resultsDir } = tempStage('demo', { ...config, rows: config.rows.slice(0, 2) });
    const held = tryLock(join(resultsDir, 'demo', '.stage.lock'), 'stage demo at profile smoke');
    if ('holder' in held) throw new Error('lock unexpectedly held');
    const lines: string[] = [];
    const out = {
      write: (m: string) => {
        lines.push(m);
        return true;
      },
      isTTY: false,
    } as unknown as NodeJS.WriteStream;
    const saved = process.env.SNN_BUSY_POLL_MS;
    process.env.SNN_BUSY_POLL_MS = '20';
    try {
      let ran = 0;
      const p = runStage({
        stage: 'demo',
        config: configPath,
        rowSchema: baseRow,
        profile: 'smoke',
        resultsDir,
        needsEngine: false,
        setExitCode: false,
        out,
        runRow: async () => {
          ran++;
          return { metrics: [{ metric: 'accuracy', value: 1 }] };
        },
      });
      await new Promise((res) => setTimeout(res, 150));
      expect(ran).toBe(0); // still waiting
      expect(lines.filter((l) => l.includes('waiting:'))).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^\[demo\] waiting: another run holds stage demo at profile smoke \(pid \d+ on .*\); one run per stage and profile at a time/,
      );
      held.release();
      expect((await p).ran).toBe(2);
      expect(existsSync(join(resultsDir, 'demo', '.stage.lock'))).toBe(false); // released at the end
    } finally {
      if (saved === undefined) delete process.env.SNN_BUSY_POLL_MS;
      else process.env.SNN_BUSY_POLL_MS = saved;
    }
  });

  it('sets a non-zero exit code when a row failed', async () => {
    const { configPath, resultsDir } = tempStage('demo', { ...config, rows: config.rows.slice(0, 1) });
    const before = process.exitCode;
    await runStage({
      stage: 'demo',
      config: configPath,
      rowSchema: baseRow,
      profile: 'smoke',
      resultsDir,
      needsEngine: false,
      out: quietOut,
      runRow: async () => {
        throw new Error('boom');
      },
    });
    expect(process.exitCode).toBe(1);
    process.exitCode = before;
  });
});

describe('runStage reuses a finished row only from the engine this run names', () => {
  it('a row computed on cpu is reused on cpu, and rerun when SNN_BACKEND names another engine', async () => {
    const saved = process.env.SNN_BACKEND;
    try {
      const { configPath, resultsDir } = tempStage('demo', { ...config, rows: config.rows.slice(0, 1) });
      let calls = 0;
      const dirs: string[] = [];
      const runRow = async (_row: unknown, ctx: { checkpointDir: string }): Promise<RowResult> => {
        dirs.push(ctx.checkpointDir);
        return { metrics: [{ metric: 'accuracy', value: ++calls }] };
      };
      const opts = {
        stage: 'demo',
        config: configPath,
        rowSchema: baseRow,
        runRow,
        profile: 'smoke' as const,
        resultsDir,
        setExitCode: false,
        out: quietOut,
      };
      process.env.SNN_BACKEND = 'cpu';
      expect((await runStage(opts)).ran).toBe(1);
      expect(readResults(join(resultsDir, 'demo', 'results.arrow'))[0]!.engine).toMatch(/^cpu@/);
      expect((await runStage(opts)).cached).toBe(1);
      process.env.SNN_BACKEND = 'wasm';
      expect((await runStage(opts)).ran).toBe(1);
      expect(readResults(join(resultsDir, 'demo', 'results.arrow'))[0]!.engine).toMatch(/^wasm@/);
      // and never resumes the cpu run's epoch checkpoints: each engine has its own folder
      expect(dirs).toHaveLength(2);
      expect(dirs[0]).toMatch(/-cpu_4/);
      expect(dirs[1]).toMatch(/-wasm_4/);
      // unnamed engine (a stage run by hand): whatever finished row there is
      delete process.env.SNN_BACKEND;
      expect((await runStage(opts)).cached).toBe(1);
      expect(calls).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.SNN_BACKEND;
      else process.env.SNN_BACKEND = saved;
    }
  });
});

describe('sameEngine: which finished rows a run may reuse', () => {
  it('matches the engine name, and on tensorflow the CPU class and the intra-op thread count too', () => {
    // TF_ENABLE_ONEDNN_OPTS=0: the class is 'eigen' on any machine (the test does not depend on this CPU)
    const tfEnv = { SNN_BACKEND: 'tensorflow', TF_ENABLE_ONEDNN_OPTS: '0' };
    expect(sameEngine('wasm@4.22.0+simd', { SNN_BACKEND: 'wasm' })).toBe(true);
    expect(sameEngine('wasm@4.22.0+simd', tfEnv)).toBe(false);
    expect(sameEngine('tensorflow@4.22.0+eigen+tf2.21.0', tfEnv)).toBe(true);
    expect(sameEngine('tensorflow@4.22.0+eigen+tf2.21.0', { ...tfEnv, SNN_THREADS: '2' })).toBe(false);
    expect(sameEngine('tensorflow@4.22.0+eigen+tf2.21.0x2', { ...tfEnv, SNN_THREADS: '2' })).toBe(true);
    expect(sameEngine('tensorflow@4.22.0+eigen+tf2.21.0x2', { ...tfEnv, SNN_BACKEND: 'tfjs-node' })).toBe(false);
    // another CPU class, or a row recorded before the class was part of the label: computed again
    expect(sameEngine('tensorflow@4.22.0+avx2+tf2.21.0', tfEnv)).toBe(false);
    expect(sameEngine('tensorflow@4.22.0+tf2.21.0', tfEnv)).toBe(false);
    expect(sameEngine('cpu@4.22.0', {})).toBe(true); // engine not named: a stage run by hand
    expect(sameEngine('none', { SNN_BACKEND: 'wasm' })).toBe(true); // rows without tensors
  });
});

describe('job slots (SNN_SLOTS, set by pnpm reproduce)', () => {
  it('a row that computes waits for a free slot; a stage without an engine takes none', async () => {
    const { root, configPath, resultsDir } = tempStage('demo', { ...config, rows: config.rows.slice(0, 1) });
    const slotDir = join(root, 'slots');
    const saved = { n: process.env.SNN_SLOTS, dir: process.env.SNN_SLOT_DIR };
    process.env.SNN_SLOTS = '1';
    process.env.SNN_SLOT_DIR = slotDir;
    // the only slot is held (by a live process: this one) until released below
    const held = tryLock(join(slotDir, 'slot-0.lock'), 'another stage');
    if ('holder' in held) throw new Error('slot already held');
    try {
      const opts = (needsEngine: boolean, resultsDir: string) => ({
        stage: 'demo',
        config: configPath,
        rowSchema: baseRow,
        runRow: async (): Promise<RowResult> => ({ metrics: [{ metric: 'accuracy', value: 1 }] }),
        profile: 'smoke' as const,
        resultsDir,
        needsEngine,
        setExitCode: false,
        out: quietOut,
      });
      // no engine: runs at once although every slot is taken
      expect((await runStage(opts(false, resultsDir))).ran).toBe(1);
      // an engine row waits until the slot is given back
      let finished = false;
      const run = runStage(opts(true, join(root, 'results-engine'))).then((s) => {
        finished = true;
        return s;
      });
      await new Promise((r) => setTimeout(r, 1500));
      expect(finished).toBe(false);
      held.release();
      expect((await run).ran).toBe(1);
      expect(readdirSync(slotDir)).toEqual([]); // and gives it back
    } finally {
      held.release();
      if (saved.n === undefined) delete process.env.SNN_SLOTS;
      else process.env.SNN_SLOTS = saved.n;
      if (saved.dir === undefined) delete process.env.SNN_SLOT_DIR;
      else process.env.SNN_SLOT_DIR = saved.dir;
    }
  });
});
