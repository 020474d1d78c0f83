// Minimal types for cli-progress 3.12 (the package ships none; only what progress.ts uses).
declare module 'cli-progress' {
  export interface Options {
    format?: string;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
    stopOnComplete?: boolean;
    etaBuffer?: number;
    stream?: NodeJS.WritableStream;
    noTTYOutput?: boolean;
  }
  export class SingleBar {
    constructor(opts: Options, preset?: unknown);
    start(total: number, start: number, payload?: Record<string, unknown>): void;
    update(value: number, payload?: Record<string, unknown>): void;
    setTotal(total: number): void;
    stop(): void;
  }
  export class MultiBar {
    constructor(opts: Options, preset?: unknown);
    create(total: number, start: number, payload?: Record<string, unknown>): SingleBar;
    log(s: string): void;
    stop(): void;
  }
  export const Presets: { shades_classic: unknown; legacy: unknown; rect: unknown };
  const _default: { SingleBar: typeof SingleBar; MultiBar: typeof MultiBar; Presets: typeof Presets };
  export default _default;
}
