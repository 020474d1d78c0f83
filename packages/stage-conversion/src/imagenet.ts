/**
 * A user-provided ImageNet folder as an ImageSet (uint8 NHWC): `<dir>/{train,val}/<wnid>/*.JPEG`,
 * the first `classes` wnids in sorted order, `perClass` images each (sorted file names: a fixed,
 * reproducible subset), shorter side resized then centre-cropped to `size` with sharp.
 */
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import type { ImageSet } from '@snn/datasets';

export interface ImageNetSplitOptions {
  classes: number;
  perClass: number;
  size: number;
}

/** The files a split reads (the first `classes` wnids, `perClass` sorted files each) with their class index. */
export function imageNetFiles(
  dir: string,
  split: 'train' | 'val',
  o: ImageNetSplitOptions,
): { wnids: string[]; files: Array<[string, number]> } {
  const root = join(dir, split);
  if (!existsSync(root)) throw new Error(`ImageNet: ${root} not found (expected ${split}/<wnid>/*.JPEG)`);
  const wnids = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .slice(0, o.classes);
  if (wnids.length < o.classes)
    throw new Error(`ImageNet: ${root} has ${wnids.length} class folders, need ${o.classes}`);
  const files: Array<[string, number]> = [];
  wnids.forEach((w, c) => {
    for (const f of readdirSync(join(root, w))
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort()
      .slice(0, o.perClass))
      files.push([join(root, w, f), c]);
  });
  return { wnids, files };
}

/** What a split's content depends on, cheaply: its files' names, sizes and modification times. */
export function imageNetListing(dir: string, split: 'train' | 'val', o: ImageNetSplitOptions): unknown {
  return imageNetFiles(dir, split, o).files.map(([f, c]) => {
    const s = statSync(f);
    return [relative(dir, f), c, s.size, s.mtimeMs];
  });
}

export async function loadImageNetSplit(
  dir: string,
  split: 'train' | 'val',
  o: ImageNetSplitOptions,
): Promise<ImageSet> {
  const { wnids, files } = imageNetFiles(dir, split, o);
  const per = o.size * o.size * 3;
  const images = new Uint8Array(files.length * per);
  const labels = new Uint8Array(files.length);
  if (o.classes > 256) throw new Error('ImageNet: labels are uint8 in ImageSet; use at most 256 classes per run');
  for (let i = 0; i < files.length; i++) {
    const buf = await sharp(files[i][0])
      .removeAlpha()
      .resize(o.size, o.size, { fit: 'cover', position: 'centre' })
      .toColourspace('srgb')
      .raw()
      .toBuffer();
    images.set(buf.subarray(0, per), i * per);
    labels[i] = files[i][1];
  }
  return { images, labels, n: files.length, height: o.size, width: o.size, channels: 3, classes: wnids };
}
