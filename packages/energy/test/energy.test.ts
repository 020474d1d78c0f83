import { describe, expect, it } from 'vitest';
import { buildTopology, getTopology, type LayerDecl } from '@snn/models';
import {
  E_PRESETS,
  annEnergy,
  compressionRatio,
  energyEfficiency,
  inputActivity,
  macOpsFor,
  snnEnergy,
  uniqueParams,
} from '@snn/energy';

const opts = {
  width: 1,
  classes: 10,
  bias: false,
  neuron: 'lif' as const,
  input: [4, 4, 1] as [number, number, number],
};
const meta = { rule: 'hand-made test net', reconstructed: false };

// conv1: 4x4x1 -> 4x4x4, 3x3: MACs = 4*4*1*9*4 = 576; fc: 64 -> 10: 640 MACs
const twoLayer = buildTopology(
  'two',
  [
    { conv: 'conv1', out: 4 },
    { fc: 'fc', out: 'classes' },
  ],
  opts,
  meta,
);
// hybrid: conv1 ReLU (576), conv2 LIF (4*4*4*9*4 = 2304), fc classifier (640)
const hybridDecl: LayerDecl[] = [
  { conv: 'conv1', out: 4, relu: true },
  { conv: 'conv2', out: 4 },
  { fc: 'fc', out: 'classes' },
];
const hybrid = buildTopology('hyb', hybridDecl, opts, meta);

describe('energy of a two-layer net, by hand', () => {
  it('op counts', () => {
    expect(twoLayer.ops.map((o) => o.macs)).toEqual([576, 640]);
    expect(hybrid.ops.map((o) => o.macs)).toEqual([576, 2304, 640]);
  });

  it('ANN: all MACs at 3.2 pJ (int32 45 nm default)', () => {
    const e = annEnergy(twoLayer);
    expect(e.preset).toBe('int32_45nm');
    expect(e.total).toBeCloseTo(1216 * 3.2, 6); // 3891.2 pJ
    expect(annEnergy(twoLayer, 'fp32_45nm').total).toBeCloseTo(1216 * 4.6, 6);
  });

  it('SNN, Poisson input: ACs = MACs x input rate x T', () => {
    // conv1 reads pixels firing at 0.2/step, fc reads conv1 spikes at 0.1/step, T = 10
    const activity = inputActivity(twoLayer, { conv1: 0.1 }, 0.2);
    expect(activity).toEqual({ conv1: 0.2, fc: 0.1 });
    const s = snnEnergy(twoLayer, { activity, T: 10, macOps: macOpsFor(twoLayer, { mode: 'snn', coding: 'poisson' }) });
    // conv1 576*0.2*10 = 1152 AC = 115.2 pJ; fc 640*0.1*10 = 640 AC = 64 pJ
    expect(s.perOp.map((e) => e.energy)).toEqual([expect.closeTo(115.2, 6), expect.closeTo(64, 6)]);
    expect(s.total).toBeCloseTo(179.2, 6);
    const ee = energyEfficiency(annEnergy(twoLayer), s);
    expect(ee.full).toBeCloseTo(3891.2 / 179.2, 6);
    expect(ee.conv).toBeCloseTo(16, 6); // 1843.2 / 115.2
    expect(ee.perLayer.fc).toBeCloseTo(2048 / 64, 6);
    // fp32 preset: conv1 1152 * 0.9 = 1036.8, fc 640 * 0.9 = 576
    expect(snnEnergy(twoLayer, { activity, T: 10, preset: 'fp32_45nm' }).total).toBeCloseTo(1612.8, 6);
  });

  it('SNN, direct coding: the first layer counts as MAC, once', () => {
    const macOps = macOpsFor(twoLayer, { mode: 'snn', coding: 'direct' });
    expect(macOps).toEqual(['conv1']);
    const s = snnEnergy(twoLayer, { activity: { fc: 0.1 }, T: 10, macOps });
    expect(s.total).toBeCloseTo(576 * 3.2 + 64, 6); // 1907.2
    expect(snnEnergy(twoLayer, { activity: { fc: 0.1 }, T: 10, macOps, macPerStep: true }).total).toBeCloseTo(
      5760 * 3.2 + 64,
      6,
    );
  });

  it("hybrid (the paper's text): ReLU ops pay MACs, the first LIF op after them ACs at its input's non-zero fraction", () => {
    const macOps = macOpsFor(hybrid, { mode: 'hybrid' });
    expect(macOps).toEqual(['conv1']);
    // conv1 576*3.2 = 1843.2; conv2 2304*0.4*5 = 4608 AC = 460.8 pJ; fc 640*0.25*5 = 800 AC = 80 pJ
    const s = snnEnergy(hybrid, { activity: { conv2: 0.4, fc: 0.25 }, T: 5, macOps });
    expect(s.total).toBeCloseTo(2384, 6);
    expect(s.perOp.map((e) => e.opType)).toEqual(['mac', 'ac', 'ac']);
    const ee = energyEfficiency(annEnergy(hybrid), s);
    expect(ee.full).toBeCloseTo(11264 / 2384, 6);
  });

  it("hybrid, the 'mac' reading: the boundary op pays MACs once", () => {
    const macOps = macOpsFor(hybrid, { mode: 'hybrid', hybridBoundary: 'mac' });
    expect(macOps).toEqual(['conv1', 'conv2']);
    // conv1 576*3.2 = 1843.2; conv2 2304*3.2 = 7372.8; fc 640*0.25*5 = 800 AC = 80 pJ
    const s = snnEnergy(hybrid, { activity: { fc: 0.25 }, T: 5, macOps });
    expect(s.total).toBeCloseTo(9296, 6);
    const ee = energyEfficiency(annEnergy(hybrid), s);
    expect(ee.full).toBeCloseTo(11264 / 9296, 6);
    expect(Number.isNaN(ee.conv)).toBe(true); // no spiking conv op
    expect(s.perOp.map((e) => e.opType)).toEqual(['mac', 'mac', 'ac']);
  });

  it('hybrid with every hidden op ReLU: the classifier reads real values and pays MACs', () => {
    const allRelu = buildTopology(
      'allrelu',
      [
        { conv: 'conv1', out: 4, relu: true },
        { fc: 'fc', out: 'classes' },
      ],
      opts,
      meta,
    );
    expect(macOpsFor(allRelu, { mode: 'hybrid' })).toEqual(['conv1', 'fc']);
  });

  it('missing activity for an AC op is an error, presets must match', () => {
    expect(() => snnEnergy(twoLayer, { activity: { conv1: 0.2 }, T: 10 })).toThrow(/fc/);
    const s = snnEnergy(twoLayer, { activity: { conv1: 0.2, fc: 0.1 }, T: 1, preset: 'fp32_45nm' });
    expect(() => energyEfficiency(annEnergy(twoLayer), s)).toThrow(/presets/);
    expect(E_PRESETS.int32_45nm).toEqual({ mac: 3.2, ac: 0.1 });
  });
});

describe('unique parameters and BackRes compression', () => {
  it('VGG7 vs VGG2x4 (width 1), hand-counted', () => {
    // VGG7: 3*9*64 + 64*9*128 + 3*(128*9*128) + 8192*1024 + 1024*10
    expect(uniqueParams(getTopology('VGG7'))).toBe(1728 + 73728 + 3 * 147456 + 8388608 + 10240);
    // VGG2x4: 3*9*128 + 128*9*128 (shared by 4 unrolls) + 8192*1024 + 1024*10
    expect(uniqueParams(getTopology('VGG2x4'))).toBe(3456 + 147456 + 8388608 + 10240);
    expect(compressionRatio(getTopology('VGG2x4'), getTopology('VGG7'))).toBeCloseTo(8916672 / 8549760, 9);
  });

  it('refuses nets of different logical depth', () => {
    expect(() => compressionRatio(getTopology('VGG2x4'), getTopology('VGG5'))).toThrow(/logical depths/);
  });

  it('every BackRes net compresses its feed-forward twin', () => {
    for (const n of ['VGG2x4', 'VGG3x2-v1', 'VGG3x2-v2', 'VGG3x4', 'VGG8x2', 'ResNet2x2', 'VGG11x2'] as const) {
      const t = getTopology(n, { width: 0.25 });
      expect(compressionRatio(t, getTopology(t.feedForward!, { width: 0.25 }))).toBeGreaterThan(1);
    }
  });
});
