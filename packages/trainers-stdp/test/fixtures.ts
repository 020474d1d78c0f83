// Shared test data of the STDP tests.
import type { ImageSet } from '@snn/datasets';

/**
 * n learnable 32x32x3 images, seeded: noise plus a class-dependent bright quadrant in one channel
 * (class c: quadrant c % 4, channel c % 3), labels i % 10.
 */
export const learnableImages = (n: number, seed: number): ImageSet => {
  const images = new Uint8Array(n * 32 * 32 * 3);
  let s = seed;
  for (let i = 0; i < images.length; i++) {
    const img = Math.floor(i / 3072);
    const c = img % 10;
    const [y, x, ch] = [Math.floor((i % 3072) / 96), Math.floor((i % 96) / 3), i % 3];
    const quad = (y < 16 ? 0 : 2) + (x < 16 ? 0 : 1);
    const noise = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 25;
    images[i] = noise + (quad === c % 4 && ch === c % 3 ? 120 : 0) + (c >= 4 && quad === (c + 1) % 4 ? 60 : 0);
  }
  return {
    images,
    labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
    n,
    height: 32,
    width: 32,
    channels: 3,
    classes: Array.from({ length: 10 }, (_, i) => `c${i}`),
  };
};
