import { createHash } from 'node:crypto';

/** JSON with sorted object keys, so a row's hash does not depend on key order in config.json. */
export function stableStringify(v: unknown): string {
  if (v === undefined) return 'null';
  if (typeof v === 'number' && !Number.isFinite(v)) return JSON.stringify(String(v)); // Infinity in profiles
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
