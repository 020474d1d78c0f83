// Per-epoch checkpoints: every tensor (weights, head variables, optimiser moments) as one float32
// binary file + a JSON manifest. Atomic: the .bin is written under a new name first, then the
// manifest is renamed over the old one, so a killed process always leaves one consistent epoch.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '@snn/backend';

export interface CheckpointManifest<S> {
  version: 1;
  /** number of completed epochs */
  epoch: number;
  file: string;
  tensors: Array<{ name: string; shape: number[]; offset: number; length: number }>;
  /** trainer state (history, dspike temperature, config hash...) */
  state: S;
}

const MANIFEST = 'checkpoint.json';

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Save named float32 tensors + state for `epoch`; older epoch files are removed after the switch. */
export async function saveCheckpoint<S>(
  dir: string,
  epoch: number,
  tensors: Array<{ name: string; tensor: tf.Tensor }>,
  state: S,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const entries: CheckpointManifest<S>['tensors'] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const { name, tensor } of tensors) {
    const data = (await tensor.data()) as Float32Array;
    const f32 = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    entries.push({ name, shape: tensor.shape.slice(), offset, length: f32.length });
    chunks.push(f32);
    offset += f32.length;
  }
  const all = new Float32Array(offset);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  const file = `weights-e${epoch}.bin`;
  writeAtomic(join(dir, file), new Uint8Array(all.buffer));
  const manifest: CheckpointManifest<S> = { version: 1, epoch, file, tensors: entries, state };
  writeAtomic(join(dir, MANIFEST), JSON.stringify(manifest));
  for (const f of readdirSync(dir))
    if (/^weights-e\d+\.bin$/.test(f) && f !== file) rmSync(join(dir, f), { force: true });
}

export interface LoadedCheckpoint<S> {
  epoch: number;
  state: S;
  /** caller disposes */
  tensors: Map<string, tf.Tensor>;
}

/** The last complete checkpoint in `dir`, or null if there is none. */
export function loadCheckpoint<S>(dir: string): LoadedCheckpoint<S> | null {
  const mPath = join(dir, MANIFEST);
  if (!existsSync(mPath)) return null;
  const m = JSON.parse(readFileSync(mPath, 'utf8')) as CheckpointManifest<S>;
  const buf = readFileSync(join(dir, m.file));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const tensors = new Map<string, tf.Tensor>();
  for (const e of m.tensors)
    tensors.set(e.name, tf.tensor(all.slice(e.offset, e.offset + e.length), e.shape, 'float32'));
  return { epoch: m.epoch, state: m.state, tensors };
}
