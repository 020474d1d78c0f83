import { describe, expect, it } from 'vitest';
import { TOPOLOGY_NAMES, buildTopology, getTopology, untie } from '@snn/models';

describe('topologies (reconstructed specs)', () => {
  it('logical depths follow the paper text', () => {
    const d = (n: Parameters<typeof getTopology>[0]): number => getTopology(n).logicalDepth;
    expect([d('VGG2x4'), d('VGG7'), d('VGG3x4'), d('VGG3x2-v1')]).toEqual([7, 7, 7, 7]);
    expect([d('VGG5'), d('VGG3x2-v2')]).toEqual([5, 5]);
    expect([d('VGG9'), d('VGG8x2')]).toEqual([9, 9]);
    expect(d('ResNet2x2')).toBe(d('ResNet3'));
    expect(d('VGG3')).toBe(3);
    expect([d('VGG16'), d('VGG11x2'), d('VGG13')]).toEqual([16, 16, 13]);
  });

  it('every spec is labelled reconstructed with its rule; BackRes twins have equal depth', () => {
    for (const n of TOPOLOGY_NAMES) {
      const t = getTopology(n, { width: 0.125 });
      expect(t.reconstructed).toBe(true);
      expect(t.rule.length).toBeGreaterThan(10);
      expect(t.ops.find((o) => o.id === t.classifier)?.kind).toBe('fc');
      if (t.feedForward) expect(getTopology(t.feedForward).logicalDepth).toBe(t.logicalDepth);
    }
  });

  it('unique weight layers: VGG8x2 has 8, VGG11x2 has 11, VGG2x4 has 4', () => {
    expect(getTopology('VGG8x2').params.length).toBe(8);
    expect(getTopology('VGG11x2').params.length).toBe(11);
    expect(getTopology('VGG2x4').params.length).toBe(4);
  });

  it('BackRes unroll: ids, unroll steps and shared param', () => {
    const t = getTopology('VGG3x2-v1');
    const block = t.ops.filter((o) => o.param === 'conv2' || o.param === 'conv3');
    expect(block.map((o) => [o.id, o.unrollStep])).toEqual([
      ['conv2@1', 1],
      ['conv3@1', 1],
      ['conv2@2', 2],
      ['conv3@2', 2],
    ]);
    const r = getTopology('ResNet2x2');
    expect(r.ops.find((o) => o.id === 'conv2@2')?.residualFrom).toBe('conv2@1');
    expect(r.ops.find((o) => o.id === 'conv2@1')?.residualFrom).toBe('pool1');
  });

  it('shapes and MACs (VGG5, width 1): conv O^2*N*k^2*M, fc in*out', () => {
    const t = getTopology('VGG5');
    const m = Object.fromEntries(t.ops.map((o) => [o.id, o.macs]));
    expect(m.conv1).toBe(32 * 32 * 3 * 9 * 64);
    expect(m.conv2).toBe(16 * 16 * 64 * 9 * 128);
    expect(m.fc1).toBe(8192 * 1024);
    expect(m.pool1).toBe(0);
    expect(t.ops.find((o) => o.id === 'fc1')?.inShape).toEqual([8, 8, 128]);
    expect(getTopology('VGG16').ops.find((o) => o.id === 'fc1')?.inShape).toEqual([7, 7, 512]);
  });

  it('width scaling keeps at least 4 channels; input/classes override', () => {
    const t = getTopology('VGG5', { width: 0.01, input: [8, 8, 1], classes: 3 });
    expect(t.params.find((p) => p.id === 'conv1')?.shape).toEqual([3, 3, 1, 4]);
    expect(t.params.find((p) => p.id === 'fc2')?.shape).toEqual([10, 3]); // round(1024 * 0.01)
    expect(getTopology('VGG5', { width: 0.5 }).params.find((p) => p.id === 'conv2')?.shape).toEqual([3, 3, 32, 64]);
  });

  it('a BackRes block with unequal in/out channels is rejected', () => {
    const o = {
      width: 1,
      classes: 10,
      bias: false,
      neuron: 'lif' as const,
      input: [8, 8, 3] as [number, number, number],
    };
    expect(() =>
      buildTopology(
        'bad',
        [
          { conv: 'c1', out: 64 },
          { repeat: [{ conv: 'c2', out: 128 }], times: 2 },
          { fc: 'f', out: 'classes' },
        ],
        o,
        {
          rule: '',
          reconstructed: false,
        },
      ),
    ).toThrow(/equal in\/out/);
  });

  it('hybrid tags and head extension point', () => {
    expect(
      getTopology('VGG9')
        .ops.filter((o) => o.neuron === 'relu')
        .map((o) => o.id),
    ).toEqual(['conv1', 'conv2']);
    expect(
      getTopology('VGG13')
        .ops.filter((o) => o.neuron === 'lif')
        .map((o) => o.id),
    ).toEqual(['conv6', 'conv7']);
    const withHead = getTopology('ResNet3', {
      head: (features) => [...features, { conv: 'head1', out: 128 }, { pool: 'avg' }, { fc: 'fc1', out: 'classes' }],
    });
    expect(withHead.ops.map((o) => o.id)).toEqual([
      'conv1',
      'pool1',
      'conv2',
      'conv3',
      'pool2',
      'head1',
      'pool3',
      'fc1',
    ]);
  });

  it('untie gives each unroll step its own weights', () => {
    const u = untie(getTopology('VGG2x4'));
    expect(u.params.map((p) => p.id)).toEqual(['conv1', 'conv2@1', 'conv2@2', 'conv2@3', 'conv2@4', 'fc1', 'fc2']);
    expect(u.logicalDepth).toBe(7);
  });
});

describe('the two readings of a CIFAR BackRes net', () => {
  it('-b64 keeps Conv1 at 64 and runs the block at 64: fewer MACs than the feed-forward twin, same logical depth', () => {
    for (const n of ['VGG2x4', 'VGG3x2-v1', 'VGG3x2-v2', 'VGG3x4'] as const) {
      const wide = getTopology(n);
      const narrow = getTopology(`${n}-b64`);
      const twin = getTopology(wide.feedForward!);
      expect(narrow.logicalDepth).toBe(wide.logicalDepth);
      expect(narrow.feedForward).toBe(wide.feedForward);
      const macs = (t: typeof wide) => t.ops.reduce((s, o) => s + o.macs, 0);
      const conv1 = (t: typeof wide) => t.ops.find((o) => o.id === 'conv1')!.macs;
      expect(conv1(narrow)).toBe(conv1(twin)); // the Poisson-input layer costs what VGG's does
      expect(conv1(wide)).toBe(2 * conv1(twin));
      expect(macs(narrow)).toBeLessThan(macs(twin));
      expect(narrow.params.length).toBe(wide.params.length);
    }
  });
});
