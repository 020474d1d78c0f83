// Frozen STDP features on disk, keyed by content: Tables 6 and 12 train different heads on the
// same frozen features (same kernels, same images, same Poisson draws), so the stage that gets
// there first computes them and the other reads them. Layout per entry:
//   <name>.bin   xtr (f32) | xte (f32) | ytr (i32) | yte (i32), little-endian
//   <name>.json  everything else, the entry's key, and the sha256 of the .bin (checked on read:
//                a damaged or truncated file is recomputed, never used)
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '@snn/runtime';
import { tf } from './tf.js';
import type { FrozenFeatures } from './experiment.js';

interface FeatureManifest {
  format: 1;
  key: string;
  sha256: string;
  shapes: { xtr: number[]; xte: number[] };
  meta: Omit<FrozenFeatures, 'xtr' | 'ytr' | 'xte' | 'yte'>;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export function writeFeatures(base: string, key: string, f: FrozenFeatures): void {
  const parts = [
    f.xtr.dataSync() as Float32Array,
    f.xte.dataSync() as Float32Array,
    f.ytr.dataSync() as Int32Array,
    f.yte.dataSync() as Int32Array,
  ];
  const bytes = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), o);
    o += p.byteLength;
  }
  const { xtr, ytr, xte, yte, ...meta } = f;
  const m: FeatureManifest = { format: 1, key, sha256: sha(bytes), shapes: { xtr: xtr.shape, xte: xte.shape }, meta };
  writeFileAtomic(`${base}.bin`, bytes);
  // the manifest last: an entry exists only once its data is complete
  writeFileAtomic(`${base}.json`, `${JSON.stringify(m)}\n`);
}

/** The cached features, or null when absent, for another key, or damaged (then `onDamaged` says why). */
export function readFeatures(base: string, key: string, onDamaged?: (why: string) => void): FrozenFeatures | null {
  if (!existsSync(`${base}.json`)) return null;
  let m: FeatureManifest;
  try {
    m = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as FeatureManifest;
  } catch {
    onDamaged?.(`${base}.json is not valid JSON`);
    return null;
  }
  if (m.format !== 1 || m.key !== key) return null;
  let bytes: Buffer;
  try {
    bytes = readFileSync(`${base}.bin`);
  } catch {
    onDamaged?.(`${base}.bin is missing`);
    return null;
  }
  if (sha(bytes) !== m.sha256) {
    onDamaged?.(`${base}.bin does not match the sha256 in its manifest`);
    return null;
  }
  const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const [ntr, nte] = [n(m.shapes.xtr), n(m.shapes.xte)];
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const f32 = new Float32Array(ab, 0, ntr + nte);
  const i32 = new Int32Array(ab, 4 * (ntr + nte));
  const ytrN = m.shapes.xtr[0];
  return {
    ...m.meta,
    xtr: tf.tensor4d(f32.subarray(0, ntr), m.shapes.xtr as [number, number, number, number]),
    xte: tf.tensor4d(f32.subarray(ntr), m.shapes.xte as [number, number, number, number]),
    ytr: tf.tensor1d(i32.subarray(0, ytrN), 'int32'),
    yte: tf.tensor1d(i32.subarray(ytrN), 'int32'),
  };
}
