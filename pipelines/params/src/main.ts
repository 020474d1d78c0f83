/**
 * Stage `params`: the '# parameters' side of the paper's tables, no training. For every topology:
 * unique parameters (shared BackRes weights counted once), logical depth, BackRes compression ratio
 * over the feed-forward net of equal logical depth, and the ANN's MACs and 45 nm energy per image
 * (Panda et al. 2020, "cost accounting"; both energy presets, int32 3.2 pJ and fp32 4.6 pJ per MAC).
 */
import { z } from 'zod';
import { baseRow, runStage, type RowResult } from '@snn/pipeline';
import { getTopology, TOPOLOGY_NAMES, type TopologyName } from '@snn/models';
import { annEnergy, compressionRatio, uniqueParams } from '@snn/energy';

export const rowSchema = baseRow.extend({
  topology: z.enum(TOPOLOGY_NAMES as [TopologyName, ...TopologyName[]]),
  /** Channel-width multiplier; 1 = the VGG-style widths the paper's counts refer to. */
  width: z.number().positive().default(1),
});
export type ParamsRow = z.output<typeof rowSchema>;

export function paramsRow(row: ParamsRow): RowResult {
  const topo = getTopology(row.topology, { width: row.width });
  const weightLayers = new Set(topo.params.filter((p) => p.role === 'weight').map((p) => p.layer)).size;
  const metrics: RowResult['metrics'] = [
    { metric: 'unique_params', value: uniqueParams(topo), unit: 'count' },
    { metric: 'unique_weight_layers', value: weightLayers, unit: 'count' },
    { metric: 'logical_depth', value: topo.logicalDepth, unit: 'count' },
    { metric: 'ann_macs', value: topo.ops.reduce((a, o) => a + o.macs, 0), unit: 'count' },
    // pJ -> uJ
    { metric: 'ann_energy_uJ', value: annEnergy(topo, 'int32_45nm').total / 1e6, unit: 'uJ' },
    { metric: 'ann_energy_fp32_uJ', value: annEnergy(topo, 'fp32_45nm').total / 1e6, unit: 'uJ' },
  ];
  if (topo.feedForward) {
    const ff = getTopology(topo.feedForward, { width: row.width });
    metrics.push({ metric: 'compression_ratio', value: compressionRatio(topo, ff), unit: 'x' });
  }
  return { metrics, reconstructed: topo.reconstructed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runStage({
    stage: 'params',
    config: new URL('../config.json', import.meta.url),
    rowSchema,
    needsEngine: false,
    runRow: async (row) => paramsRow(row),
  });
}
