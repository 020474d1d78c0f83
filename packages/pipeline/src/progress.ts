/**
 * Stage progress: stage, row k/n, epoch, ETA. A live bar (cli-progress) only when stderr is a TTY;
 * otherwise short lines, at most one every `intervalMs`, so CI logs stay quiet when all is fine.
 */
import cliProgress, { type MultiBar, type SingleBar } from 'cli-progress';

export interface ProgressUpdate {
  epoch?: number;
  of?: number;
  step?: number;
  steps?: number;
  note?: string;
}

function fmtSecs(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}
export { fmtSecs as formatSeconds };

export class StageProgress {
  private readonly tty: boolean;
  private multi?: MultiBar;
  private bar?: SingleBar;
  private k = 0;
  private rowId = '';
  private rowStartedAt = 0;
  private readonly startedAt = Date.now();
  private lastLine = 0;
  private runSeconds: number[] = [];
  private toRun: number;

  constructor(
    private readonly stage: string,
    private readonly n: number,
    toRun: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly intervalMs = 15_000,
  ) {
    this.tty = Boolean(out.isTTY) && !process.env.CI;
    this.toRun = toRun;
    if (this.tty && toRun > 0) {
      this.multi = new cliProgress.MultiBar(
        {
          format: `${stage} |{bar}| row {row}/{n} {id} {detail} ETA {etaText}`,
          hideCursor: true,
          clearOnComplete: true,
          stream: out,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar = this.multi.create(n * 100, 0, { row: 0, n, id: '', detail: '', etaText: '?' });
    }
  }

  /** Seconds left: mean time of rows finished so far (or the current row's pace) x rows left. */
  private eta(fraction: number): number {
    const left = this.toRun - this.runSeconds.length;
    const cur = (Date.now() - this.rowStartedAt) / 1000;
    const mean = this.runSeconds.length
      ? this.runSeconds.reduce((a, b) => a + b, 0) / this.runSeconds.length
      : fraction > 0
        ? cur / fraction
        : NaN;
    return Math.max(0, mean * left - Math.min(cur, mean));
  }

  rowStart(k: number, id: string): void {
    this.k = k;
    this.rowId = id;
    this.rowStartedAt = Date.now();
    this.render(0, '');
  }

  /** the current row starts computing now (after waiting for a job slot): its pace is measured from here */
  computing(): void {
    this.rowStartedAt = Date.now();
  }

  update(p: ProgressUpdate): void {
    const frac =
      p.epoch !== undefined && p.of
        ? (p.epoch - 1 + (p.step !== undefined && p.steps ? p.step / p.steps : 0)) / p.of
        : p.step !== undefined && p.steps
          ? p.step / p.steps
          : 0;
    const parts: string[] = [];
    if (p.epoch !== undefined) parts.push(`epoch ${p.epoch}${p.of ? `/${p.of}` : ''}`);
    if (p.step !== undefined) parts.push(`step ${p.step}${p.steps ? `/${p.steps}` : ''}`);
    if (p.note) parts.push(p.note);
    this.render(Math.min(1, Math.max(0, frac)), parts.join(' '));
  }

  private render(frac: number, detail: string): void {
    const etaText = fmtSecs(this.eta(frac));
    if (this.bar) {
      this.bar.update((this.k - 1 + frac) * 100, { row: this.k, n: this.n, id: this.rowId, detail, etaText });
      return;
    }
    const now = Date.now();
    if (now - this.lastLine < this.intervalMs) return;
    if (this.lastLine === 0 && now - this.startedAt < this.intervalMs) return; // quiet for short stages
    this.lastLine = now;
    this.out.write(`[${this.stage}] row ${this.k}/${this.n} ${this.rowId} ${detail} ETA ${etaText}\n`);
  }

  rowDone(seconds: number, ran: boolean): void {
    if (ran) this.runSeconds.push(seconds);
  }

  log(msg: string): void {
    const line = `[${this.stage}] ${this.rowId ? `${this.rowId}: ` : ''}${msg}`;
    if (this.multi) this.multi.log(`${line}\n`);
    else this.out.write(`${line}\n`);
  }

  stop(): void {
    this.multi?.stop();
  }
}
