import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type HashAlgo = 'sha256' | 'sha512' | 'md5';

/** Streaming hash of a file (CIFAR-10 sprites and archives are ~140 MB; no need to hold them twice). */
export async function hashFile(path: string, algo: HashAlgo, encoding: 'hex' | 'base64' = 'hex'): Promise<string> {
  const h = createHash(algo);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
  return h.digest(encoding);
}

export function hashBytes(bytes: Uint8Array, algo: HashAlgo, encoding: 'hex' | 'base64' = 'hex'): string {
  return createHash(algo).update(bytes).digest(encoding);
}

/** Write via a temp file in the same directory, then rename: readers never see a half-written file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
