import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway workspace root with one stage package `pipelines/<stage>/config.json`. */
export function tempStage(stage: string, config: unknown): { root: string; configPath: string; resultsDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'snn-pipeline-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - pipelines/*\n');
  const dir = join(root, 'pipelines', stage);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `@snn/stage-${stage}`, scripts: { stage: 'tsx src/main.ts' } }),
  );
  writeFileSync(join(dir, 'src', 'main.ts'), '// test stage\n');
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return { root, configPath, resultsDir: join(root, 'artifacts', 'results') };
}
