import type { ImageSet } from '@snn/datasets';
import { makeRng } from '@snn/backend';

/**
 * A linearly separable toy task: 8x8x1 images, class k has a bright k-th quadrant (intensity
 * 0.8-1) on a dim noisy background (0-0.2). Poisson-coded at any T it stays separable.
 */
export function quadrantTask(n: number, seed: number, classes = 4): ImageSet {
  const rng = makeRng(seed);
  const H = 8;
  const images = new Uint8Array(n * H * H);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % classes;
    labels[i] = y;
    const qr = Math.floor(y / 2) * 4;
    const qc = (y % 2) * 4;
    for (let r = 0; r < H; r++)
      for (let c = 0; c < H; c++) {
        const inQ = r >= qr && r < qr + 4 && c >= qc && c < qc + 4;
        const v = inQ ? 0.8 + 0.2 * rng.next() : 0.2 * rng.next();
        images[i * H * H + r * H + c] = Math.round(v * 255);
      }
  }
  return {
    images,
    labels,
    n,
    height: H,
    width: H,
    channels: 1,
    classes: Array.from({ length: classes }, (_, k) => `q${k}`),
  };
}
