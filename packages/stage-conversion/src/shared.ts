/**
 * Conversion work shared by content (not by process): a threshold balancing or an SNN evaluation is
 * keyed by the hash of everything it depends on (the ANN's config hash, the images it reads, its
 * options, the conversion library's code fingerprint, the engine and the data) and kept on disk
 * under `artifacts/cache/<name>/`, written atomically, computed once under a work lock
 * (@snn/runtime's computeOnce: another process holding it makes the row RowBusy, so runStage runs
 * the stage's other rows first). Two rows, or two stages, that need the same result compute it once;
 * a rerun after a kill reuses whatever was finished.
 *
 * Entries are JSON with a small tagged encoding for what JSON cannot hold exactly (typed arrays as
 * base64, Maps, NaN / ±Infinity / -0), so a cached result reads back bit for bit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  computeOnce,
  dataFingerprint,
  engineLabel,
  repoRoot,
  sha256,
  stableStringify,
  writeFileAtomic,
  type EngineRecord,
} from '@snn/pipeline';
import { conversionCodeFingerprint } from '@snn/trainers-conversion';

/** Where the shared results live and the provenance every key includes. */
export interface SharedStore {
  /** folder holding one folder per kind of result (artifacts/cache) */
  root: string;
  /** code fingerprint of the library that computes the results | engine label | data fingerprint */
  code: string;
  /** called once per lookup (tests, logs) */
  onLookup?: (e: { name: string; file: string; reused: boolean }) => void;
}

/** The store of a stage row: artifacts/cache, keyed by @snn/trainers-conversion's code, the engine and the datasets. */
export function sharedStore(engine: EngineRecord, root: string = repoRoot()): SharedStore {
  return {
    root: join(root, 'artifacts', 'cache'),
    code: `${conversionCodeFingerprint()}|${engineLabel(engine)}|${dataFingerprint(root)}`,
  };
}

/** The content hash of a key (with the store's code), as it names the entry's file. */
export function contentKey(store: SharedStore, key: unknown): string {
  return sha256(stableStringify({ v: 1, key: encode(key), code: store.code })).slice(0, 24);
}

interface Entry {
  format: 1;
  key: string;
  value: unknown;
}

/**
 * The result of `compute` for `key`, from `<root>/<name>/<label>-<hash>.json` if it is there, else
 * computed (holding `<file>.lock`), written atomically and returned. Throws RowBusy when another
 * live process is computing it right now.
 */
export async function shared<T>(
  store: SharedStore,
  o: {
    name: string;
    label: string;
    key: unknown;
    what: string;
    compute: () => T | Promise<T>;
    log?: (m: string) => void;
  },
): Promise<{ value: T; reused: boolean }> {
  const hash = contentKey(store, o.key);
  const file = join(store.root, o.name, `${o.label.replace(/[^A-Za-z0-9._-]+/g, '_')}-${hash}.json`);
  const read = (): T | null => {
    if (!existsSync(file)) return null;
    try {
      const e = JSON.parse(readFileSync(file, 'utf8')) as Entry;
      return e.format === 1 && e.key === hash ? (decode(e.value) as T) : null;
    } catch {
      o.log?.(`${file} is damaged: computing it again`);
      return null;
    }
  };
  const got = await computeOnce<T>({
    lockFile: `${file}.lock`,
    what: o.what,
    read,
    compute: o.compute,
    write: (v) =>
      writeFileAtomic(file, `${JSON.stringify({ format: 1, key: hash, value: encode(v) } satisfies Entry)}\n`),
  });
  if (got.reused) o.log?.(`${o.what}: from ${file}`);
  store.onLookup?.({ name: o.name, file, reused: got.reused });
  return got;
}

const b64 = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function fromB64(s: string): Uint8Array {
  const b = Buffer.from(s, 'base64');
  // a fresh, aligned buffer (Buffer.from may hand out a view into a shared pool)
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** A JSON-able copy of `v`: typed arrays, Maps and non-finite numbers tagged (`$u8`, `$f32`, `$i32`, `$map`, `$num`). */
export function encode(v: unknown): unknown {
  if (typeof v === 'number')
    return Number.isFinite(v) && !Object.is(v, -0) ? v : { $num: Object.is(v, -0) ? '-0' : String(v) };
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return { $u8: b64(v) };
  if (v instanceof Float32Array) return { $f32: b64(v) };
  if (v instanceof Int32Array) return { $i32: b64(v) };
  if (ArrayBuffer.isView(v)) throw new Error(`shared cache: cannot encode ${v.constructor.name}`);
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [encode(k), encode(x)]) };
  if (Array.isArray(v)) return v.map(encode);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) throw new Error(`shared cache: key '${k}' is reserved`);
    if (x !== undefined && typeof x !== 'function') out[k] = encode(x);
  }
  return out;
}

/** The inverse of encode. */
export function decode(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decode);
  const o = v as Record<string, unknown>;
  if (typeof o.$num === 'string') return o.$num === '-0' ? -0 : Number(o.$num);
  if (typeof o.$u8 === 'string') return fromB64(o.$u8);
  if (typeof o.$f32 === 'string') return new Float32Array(fromB64(o.$f32).buffer);
  if (typeof o.$i32 === 'string') return new Int32Array(fromB64(o.$i32).buffer);
  if (Array.isArray(o.$map))
    return new Map((o.$map as Array<[unknown, unknown]>).map(([k, x]) => [decode(k), decode(x)]));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decode(x);
  return out;
}
