import { describe, expect, it } from 'vitest';
import { getTopology } from '@snn/models';
import { energyMetrics } from '../src/rows.js';
import { agdRowWith } from './rows-fixture.js';

const row = agdRowWith({
  id: 'r',
  topology: 'VGG9',
  method: 'hybrid',
  classifier: 'stochmax',
  T: 25,
  width: 1,
  trainSamples: 'all',
  testSamples: 'all',
  batchSize: 64,
});

describe('hybrid energy (Table 14)', () => {
  it("Conv3 pays ACs at the non-zero fraction of Conv2's ReLU output; the MAC-once reading beside it", () => {
    const topo = getTopology('VGG9', { width: 0.125 });
    const T = 25;
    const spiking = topo.ops.filter(
      (op) =>
        (op.kind === 'conv' || op.kind === 'fc') && op.id !== topo.classifier && op.id !== 'conv1' && op.id !== 'conv2',
    );
    const activity = [
      { layer: 'conv1', unrollStep: 1, rate: 0.6 },
      { layer: 'conv2', unrollStep: 1, rate: 0.4 }, // non-zero fraction of the ReLU output
      ...spiking.map((op) => ({ layer: op.id, unrollStep: 1, rate: 0.1 })),
    ];
    const m = Object.fromEntries(energyMetrics(topo, row({}), T, activity, 0.45).map((x) => [x.metric, x.value]));
    const macs = (id: string) => topo.ops.find((op) => op.id === id)!.macs;
    // by hand: conv1, conv2 MACs once; conv3 ACs at 0.4 x T; later LIF ops and the classifier at 0.1 x T
    const later = topo.ops
      .filter((op) => (op.kind === 'conv' || op.kind === 'fc') && !['conv1', 'conv2', 'conv3'].includes(op.id))
      .reduce((a, op) => a + op.macs, 0);
    const pJ = (macs('conv1') + macs('conv2')) * 3.2 + macs('conv3') * 0.4 * T * 0.1 + later * 0.1 * T * 0.1;
    expect(m.energy_uJ).toBeCloseTo(pJ / 1e6, 9);
    expect(m.boundary_activity).toBe(0.4);
    const pJmac = (macs('conv1') + macs('conv2') + macs('conv3')) * 3.2 + later * 0.1 * T * 0.1;
    expect(m.energy_uJ_boundary_mac).toBeCloseTo(pJmac / 1e6, 9);
    expect(m.ee).toBeGreaterThan(m.ee_boundary_mac!);
  });

  it('ee_w1: the measured rates on the width-1 MACs (by hand), equal to ee when the row is at width 1', () => {
    const r = row({ topology: 'VGG5', method: 'agd', classifier: 'softmax' });
    const small = getTopology('VGG5', { width: 0.125 });
    const paper = getTopology('VGG5', { width: 1 });
    const T = 25;
    const activity = ['conv1', 'conv2', 'conv3', 'fc1'].map((layer) => ({ layer, unrollStep: 1, rate: 0.1 }));
    const m = Object.fromEntries(energyMetrics(small, r, T, activity, 0.45, paper).map((x) => [x.metric, x.value]));
    // by hand at width 1: conv1 reads the Poisson input (0.45), every later weight op reads rate 0.1
    const w = paper.ops.filter((op) => op.kind === 'conv' || op.kind === 'fc');
    const ann = w.reduce((a, op) => a + op.macs * 3.2, 0);
    const snn = w.reduce((a, op) => a + op.macs * (op.id === 'conv1' ? 0.45 : 0.1) * T * 0.1, 0);
    expect(m.ee_w1).toBeCloseTo(ann / snn, 9);
    // the Poisson layer weighs less at width 1 (its MACs scale with width, later layers' with its square)
    expect(m.ee_w1).toBeGreaterThan(m.ee);
    const same = Object.fromEntries(energyMetrics(paper, r, T, activity, 0.45, paper).map((x) => [x.metric, x.value]));
    expect(same.ee_w1).toBeCloseTo(same.ee, 12);
  });
});
