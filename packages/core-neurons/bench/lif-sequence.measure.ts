import { it } from 'vitest';
import { run } from './lif-sequence.js';

it('lif-sequence benchmark (default engine, SNN_BACKEND to force)', async () => {
  const r = await run();
  console.log(JSON.stringify(r.map(({ group, case: c, ms, samples, ratios, engine }) => ({ engine: engine.name, group, case: c, ms: +ms.toFixed(1), samples: samples.map((s) => +s.toFixed(0)), ratios })), null, 1));
});
