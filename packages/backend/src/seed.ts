/**
 * Seeded randomness. Every random op in the project takes a seed (docs/interfaces.md); these
 * helpers turn one experiment seed into independent, reproducible streams without global state.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Fisher-Yates shuffle of `a` in place; returns `a`. */
  shuffle<T>(a: T[]): T[];
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128-bit state, passes PractRand,
 * and is cheap in JS's 32-bit integer arithmetic. The state is seeded by splitmix32 so that
 * nearby seeds (0, 1, 2...) give unrelated streams.
 */
export function makeRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up: discard the first outputs as the reference implementation does.
  for (let i = 0; i < 12; i++) nextU32();
  let spare: number | null = null;
  const next = (): number => nextU32() / 4294967296;
  return {
    next,
    int(n: number): number {
      if (!(n > 0) || !Number.isFinite(n)) throw new Error(`Rng.int: n must be a positive finite number, got ${n}`);
      return Math.floor(next() * n);
    },
    normal(): number {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle<T>(arr: T[]): T[] {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = arr[i] as T;
        arr[i] = arr[j] as T;
        arr[j] = tmp;
      }
      return arr;
    },
  };
}

/**
 * Stable 32-bit hash of (seed, ...labels): FNV-1a over a tagged encoding (so that ('a', 1) and
 * ('a1') differ), finished with murmur3's fmix32 for avalanche. Used to give each layer, epoch or
 * table row its own seed: `deriveSeed(seed, 'init', 'conv1')`.
 */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  let h = 0x811c9dc5;
  const mix = (code: number): void => {
    h ^= code & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  const mixU32 = (v: number): void => {
    mix(v);
    mix(v >>> 8);
    mix(v >>> 16);
    mix(v >>> 24);
  };
  mixU32(seed >>> 0);
  for (const label of labels) {
    if (typeof label === 'number') {
      mix(0x4e); // 'N' tag
      if (Number.isInteger(label) && Math.abs(label) < 2 ** 31) mixU32(label | 0);
      else for (const ch of String(label)) mix(ch.charCodeAt(0));
    } else {
      mix(0x53); // 'S' tag
      mixU32(label.length);
      for (let i = 0; i < label.length; i++) {
        const c = label.charCodeAt(i);
        mix(c);
        mix(c >>> 8);
      }
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
