import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RECORD = 3073;

/** One official-format record: label byte, then R, G, B planes of 1024 bytes each. */
export function record(i: number): Uint8Array {
  const r = new Uint8Array(RECORD);
  r[0] = i % 10;
  for (let j = 0; j < 3072; j++) r[1 + j] = (i * 31 + j * 7 + (j >> 10) * 50) & 255;
  return r;
}

/** The same image in NHWC order, what the decoder must produce. */
export function recordHwc(i: number): Uint8Array {
  const r = record(i);
  const out = new Uint8Array(3072);
  for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[3 * p + c] = r[1 + c * 1024 + p];
  return out;
}

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `snn-ds-${prefix}-`));
}

/**
 * A tiny cifar-10-binary.tar.gz: 2 records in each of data_batch_1..5 (train 0..9) and 3 in
 * test_batch (ids 100..102). `breakBatch` truncates data_batch_3 to make a decodable-looking but
 * corrupt archive.
 */
export function makeCifarFixture(opts: { breakBatch?: boolean } = {}): { archive: string; md5: string; dir: string } {
  const dir = tmp('fixture');
  const bin = join(dir, 'cifar-10-batches-bin');
  mkdirSync(bin);
  let id = 0;
  for (let k = 1; k <= 5; k++) {
    let data = Buffer.concat([record(id++), record(id++)]);
    if (opts.breakBatch && k === 3) data = data.subarray(0, 5000);
    writeFileSync(join(bin, `data_batch_${k}.bin`), data);
  }
  writeFileSync(join(bin, 'test_batch.bin'), Buffer.concat([record(100), record(101), record(102)]));
  writeFileSync(
    join(bin, 'batches.meta.txt'),
    'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n',
  );
  const archive = join(dir, 'cifar-10-binary.tar.gz');
  execFileSync('tar', ['czf', archive, '-C', dir, 'cifar-10-batches-bin']);
  const md5 = createHash('md5').update(readFileSync(archive)).digest('hex');
  return { archive, md5, dir };
}

/** Local HTTP server; `respond(hit)` picks the body for the n-th request (1-based). */
export async function serve(
  respond: (hit: number) => Uint8Array,
): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    const body = respond(hits);
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cifar-10-binary.tar.gz`,
    hits: () => hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
