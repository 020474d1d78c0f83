/**
 * Data stage: fetch, verify and decode CIFAR-10 and MNIST into artifacts/data/<name>/.
 * Usage: pnpm stage [cifar10] [mnist] [--force] [--quick-verify] [--data-dir DIR] [--cifar10-source PATH] [--mnist-source PATH]
 * A rerun verifies every file by content (sha256 against its manifest, ~0.2 s for both datasets)
 * and rebuilds a missing or damaged copy; a valid copy is left as it is. Turbo never caches this
 * stage (pipelines/data/turbo.json): a deleted or edited artifacts/data must not be a cache hit.
 * `--quick-verify` trusts files whose size and mtime match the manifest.
 */
// the tensor-free entry point: the stage needs no tfjs engine
import { ensureDatasets, type DatasetName } from '@snn/datasets/ensure';

const argv = process.argv.slice(2);
const names: DatasetName[] = [];
const source: Partial<Record<DatasetName, string>> = {};
let force = false;
let verify: 'quick' | 'full' = 'full';
let dataDir: string | undefined;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === 'cifar10' || a === 'mnist') names.push(a);
  else if (a === '--force') force = true;
  else if (a === '--verify') verify = 'full';
  else if (a === '--quick-verify') verify = 'quick';
  else if (a === '--data-dir') dataDir = argv[++i];
  else if (a === '--cifar10-source') source.cifar10 = argv[++i];
  else if (a === '--mnist-source') source.mnist = argv[++i];
  else {
    console.error(`unknown argument ${a}`);
    process.exit(2);
  }
}

const t0 = Date.now();
try {
  const results = await ensureDatasets({
    names: names.length > 0 ? names : ['cifar10', 'mnist'],
    dataDir,
    source,
    force,
    verify,
    log: (m) => console.log(`[data] ${m}`),
  });
  for (const r of results) {
    const { train, test } = r.manifest.splits;
    console.log(
      `[data] ${r.name}: ${r.reused ? 'reused' : 'built'} in ${r.seconds.toFixed(2)}s; train ${train.n}, test ${test.n}, ${train.height}x${train.width}x${train.channels}; source ${r.manifest.source.kind} ${r.manifest.source.location}; ${r.dir}`,
    );
  }
  console.log(`[data] done in ${((Date.now() - t0) / 1000).toFixed(2)}s`);
} catch (e) {
  console.error(`[data] FAILED: ${(e as Error).message}`);
  process.exit(1);
}
