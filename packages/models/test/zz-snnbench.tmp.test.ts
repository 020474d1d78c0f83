import { it } from 'vitest';
import { run } from '../../../bench/snn-step.ts';
it('bench', async () => {
  const r = await run();
  for (const x of r) console.log(x.case, x.ms.toFixed(0), 'ms', JSON.stringify(x.ratios), x.gflops?.toFixed(2), x.engine.name, JSON.stringify(x.samples.map(Math.round)));
}, 3_000_000);
