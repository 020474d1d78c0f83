/**
 * Expansion of a declarative layer list into the logical op list: BackRes blocks unrolled, shapes
 * propagated, MACs counted (Panda et al. 2020, "cost accounting": conv O^2*N*k^2*M, FC in*out).
 */
import { TOPOLOGY_DECLS } from './topologies.js';
import type { LayerDecl, OpSpec, ParamSpec, SampleShape, Topology, TopologyName, TopologyOptions } from './types.js';

const prod = (a: number[]): number => a.reduce((x, y) => x * y, 1);

/** Flat list of (decl, times-context) in logical order. */
function flatten(layers: LayerDecl[]): Exclude<LayerDecl, { repeat: LayerDecl[] }>[] {
  const out: Exclude<LayerDecl, { repeat: LayerDecl[] }>[] = [];
  for (const l of layers) {
    if ('repeat' in l) {
      if (!(Number.isInteger(l.times) && l.times >= 1))
        throw new Error(`repeat: times must be a positive integer, got ${l.times}`);
      const body = flatten(l.repeat);
      for (let i = 0; i < l.times; i++) out.push(...body);
    } else out.push(l);
  }
  return out;
}

export function scaleWidth(base: number, width: number): number {
  return Math.max(4, Math.round(base * width));
}

/**
 * Builds a topology from declared layers. Exported so other packages can compose specs (e.g. an
 * STDP feature extractor + a ConvNN head) without editing the named table.
 */
export function buildTopology(
  name: string,
  layers: LayerDecl[],
  o: Required<Pick<TopologyOptions, 'width' | 'classes' | 'bias' | 'neuron'>> & { input: [number, number, number] },
  meta: { rule: string; reconstructed: boolean; feedForward?: TopologyName },
): Topology {
  const flat = flatten(layers);
  const uses = new Map<string, number>();
  for (const l of flat) {
    const id = 'conv' in l ? l.conv : 'fc' in l ? l.fc : null;
    if (id) uses.set(id, (uses.get(id) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  const params: ParamSpec[] = [];
  const paramShape = new Map<string, number[]>();
  const ops: OpSpec[] = [];
  let shape: SampleShape = [...o.input];
  let poolCount = 0;
  const lastWeightIdx = flat.map((l) => 'fc' in l || 'conv' in l).lastIndexOf(true);
  const last = flat[lastWeightIdx];
  if (!last || !('fc' in last)) throw new Error(`${name}: the last weight layer must be an FC classifier`);

  flat.forEach((l, i) => {
    const index = ops.length;
    const prevId = index > 0 ? ops[index - 1].id : 'input';
    if ('pool' in l) {
      if (shape.length !== 3) throw new Error(`${name}: pooling after flatten`);
      const k = l.size ?? 2;
      const [h, w, ch] = shape;
      const outShape = [Math.floor(h / k), Math.floor(w / k), ch];
      poolCount++;
      ops.push({
        id: `pool${poolCount}`,
        unrollStep: 1,
        kind: l.pool === 'avg' ? 'avgpool' : 'maxpool',
        inShape: shape,
        outShape,
        macs: 0,
        adds: prod(outShape) * (k * k - 1),
        neuron: 'none',
        k,
        index,
      });
      shape = outShape;
      return;
    }
    const isConv = 'conv' in l;
    const pid = isConv ? l.conv : l.fc;
    const step = (seen.get(pid) ?? 0) + 1;
    seen.set(pid, step);
    const id = (uses.get(pid) ?? 1) > 1 ? `${pid}@${step}` : pid;
    const isClassifier = i === lastWeightIdx;
    const outCh = !isConv && l.out === 'classes' ? o.classes : scaleWidth(l.out as number, o.width);
    let wShape: number[];
    let outShape: SampleShape;
    let macs: number;
    let k: number | undefined;
    if (isConv) {
      if (shape.length !== 3) throw new Error(`${name}: conv ${pid} after flatten`);
      k = l.k ?? 3;
      const [h, w, inCh] = shape;
      wShape = [k, k, inCh, outCh];
      outShape = [h, w, outCh];
      macs = h * w * inCh * k * k * outCh; // O^2 * N * k^2 * M ('same' padding: O = input size)
    } else {
      const inN = prod(shape);
      wShape = [inN, outCh];
      outShape = [outCh];
      macs = inN * outCh;
    }
    const prevShape = paramShape.get(pid);
    if (prevShape) {
      if (prevShape.join(',') !== wShape.join(','))
        throw new Error(
          `${name}: shared weight ${pid} used with shape [${wShape}] but declared [${prevShape}]; a BackRes block needs equal in/out channels`,
        );
    } else {
      paramShape.set(pid, wShape);
      const fanIn = prod(wShape.slice(0, -1));
      params.push({ id: pid, shape: wShape, role: 'weight', layer: pid, fanIn });
      if (o.bias) params.push({ id: `${pid}/bias`, shape: [outCh], role: 'bias', layer: pid, fanIn });
    }
    let residualFrom: string | undefined;
    if (isConv && l.residual) {
      if (shape.join(',') !== outShape.join(','))
        throw new Error(`${name}: residual ${id} needs equal in/out shapes, got [${shape}] -> [${outShape}]`);
      residualFrom = prevId;
    }
    const relu = isConv || !isClassifier ? Boolean((l as { relu?: boolean }).relu) : false;
    ops.push({
      id,
      param: pid,
      unrollStep: step,
      kind: isConv ? 'conv' : 'fc',
      inShape: shape,
      outShape,
      macs,
      adds: 0,
      neuron: isClassifier ? 'none' : relu ? 'relu' : o.neuron,
      ...(k !== undefined ? { k } : {}),
      ...(residualFrom ? { residualFrom } : {}),
      index,
    });
    shape = outShape;
  });

  const weightOps = ops.filter((op) => op.kind === 'conv' || op.kind === 'fc');
  return {
    name,
    reconstructed: meta.reconstructed,
    rule: meta.rule,
    input: o.input,
    classes: o.classes,
    width: o.width,
    params,
    ops,
    logicalDepth: weightOps.length,
    classifier: weightOps[weightOps.length - 1].id,
    ...(meta.feedForward ? { feedForward: meta.feedForward } : {}),
  };
}

/** Named topology of the paper (reconstructed), with width/input/classes scaling. */
export function getTopology(name: TopologyName, opts: TopologyOptions = {}): Topology {
  const decl = TOPOLOGY_DECLS[name];
  if (!decl) throw new Error(`unknown topology '${name}'; known: ${Object.keys(TOPOLOGY_DECLS).join(', ')}`);
  const imagenet = decl.dataset === 'imagenet';
  const width = opts.width ?? 1;
  if (!(width > 0)) throw new Error(`width must be > 0, got ${width}`);
  let layers = decl.layers;
  if (opts.head) {
    const firstFc = layers.findIndex((l) => 'fc' in l);
    layers = opts.head(layers.slice(0, firstFc));
  }
  return buildTopology(
    name,
    layers,
    {
      width,
      classes: opts.classes ?? (imagenet ? 1000 : 10),
      bias: opts.bias ?? false,
      neuron: opts.neuron ?? 'lif',
      input: opts.input ?? (imagenet ? [224, 224, 3] : [32, 32, 3]),
    },
    { rule: decl.rule, reconstructed: true, ...(decl.feedForward ? { feedForward: decl.feedForward } : {}) },
  );
}

/**
 * The same logical net with every unroll step given its own weights (`conv2@3` -> param `conv2@3`):
 * the feed-forward twin of a BackRes net, and a tool to attribute a shared weight's gradient to
 * each unroll step (the shared gradient is the sum of the untied ones).
 */
export function untie(topo: Topology): Topology {
  const params: ParamSpec[] = [];
  const byId = new Map(topo.params.map((p) => [p.id, p]));
  const ops = topo.ops.map((op) => {
    if (!op.param) return { ...op };
    const w = byId.get(op.param)!;
    params.push({ ...w, id: op.id, layer: op.id });
    const b = byId.get(`${op.param}/bias`);
    if (b) params.push({ ...b, id: `${op.id}/bias`, layer: op.id });
    return { ...op, param: op.id, unrollStep: 1 };
  });
  return { ...topo, name: `${topo.name}-untied`, params, ops };
}
