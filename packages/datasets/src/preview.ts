import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ImageSet } from './types.js';

/**
 * Writes the first `count` images of a set back to PNG, one file each plus an 8x-enlarged strip,
 * so a human can confirm the pixel order (a CHW/HWC or BGR mix-up is obvious on sight).
 */
export async function writePreviews(set: ImageSet, dir: string, count = 10): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const { height: h, width: w, channels: c } = set;
  const size = h * w * c;
  const k = Math.min(count, set.n);
  const written: string[] = [];
  const strip = new Uint8Array(k * size);
  for (let i = 0; i < k; i++) {
    const img = set.images.subarray(i * size, (i + 1) * size);
    const name = `test-${i}-${set.classes[set.labels[i]]}.png`;
    await writeFile(
      join(dir, name),
      await sharp(img, { raw: { width: w, height: h, channels: c as 1 | 3 } })
        .png()
        .toBuffer(),
    );
    written.push(name);
    // strip: images side by side
    for (let y = 0; y < h; y++) strip.set(img.subarray(y * w * c, (y + 1) * w * c), (y * k * w + i * w) * c);
  }
  const stripName = `test-0-${k - 1}-x8.png`;
  await writeFile(
    join(dir, stripName),
    await sharp(strip, { raw: { width: k * w, height: h, channels: c as 1 | 3 } })
      .resize(k * w * 8, h * 8, { kernel: 'nearest' })
      .png()
      .toBuffer(),
  );
  written.push(stripName);
  return written;
}
