/**
 * Pin test: conversion's numbers on a small fixed net, recorded from the pre-#13 implementation
 * (its own ConversionNet, ann.ts, simulate.ts, ifNeuron.ts, coding.ts) and checked against the
 * shared executor. Integers (spike counts, correct counts) must match exactly; reals (thresholds,
 * input rates, calibration currents) to float32 precision. PIN_PRINT=<file> writes the actual values there.
 */
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@snn/backend';
import { buildTopology, type Topology } from '@snn/models';
// module imports (not the index, which also loads the ANN trainer)
import { thresholdBalance } from '../src/thresholdBalance.js';
import { thresholdsFromAnn } from '../src/thresholdSearch.js';
import { biasShift } from '../src/biasShift.js';
import { biasCorrection, potentialCorrection } from '../src/calibration.js';
import { evaluateSnn, type SnnEvaluation } from '../src/evaluate.js';
import { conversionEE } from '../src/energyTopo.js';
const conv = {
  thresholdBalance,
  thresholdsFromAnn,
  biasShift,
  biasCorrection,
  potentialCorrection,
  evaluateSnn,
  conversionEE,
};

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

/** conv1 · conv2 unrolled 3x (shared weights, BackRes) · avgpool 2 · fc1 · fc2 (classifier, 3 classes) */
function pinTopology(): Topology {
  return buildTopology(
    'pin',
    [
      { conv: 'conv1', out: 4, k: 3 },
      { repeat: [{ conv: 'conv2', out: 4, k: 3 }], times: 3 },
      { pool: 'avg', size: 2 },
      { fc: 'fc1', out: 8 },
      { fc: 'fc2', out: 'classes' },
    ],
    { width: 1, classes: 3, bias: false, neuron: 'if', input: [4, 4, 1] },
    { rule: 'pin test', reconstructed: false },
  );
}

function pinParams(): Record<string, tf.Tensor> {
  return {
    conv1: tf.randomNormal([3, 3, 1, 4], 0.05, Math.sqrt(2 / 9), 'float32', 3),
    conv2: tf.randomNormal([3, 3, 4, 4], 0.02, Math.sqrt(2 / 36), 'float32', 4),
    fc1: tf.randomNormal([16, 8], 0.05, Math.sqrt(2 / 16), 'float32', 5),
    fc2: tf.randomNormal([8, 3], 0, Math.sqrt(2 / 8), 'float32', 6),
  };
}

// the only line that changed with the executor: how a topology + params become a convertible net
// (before #13: conv.fromTopology(topo, params), which built the package's own ConversionNet)
const makeNet = (topo: Topology, params: Record<string, tf.Tensor>) => ({ topo, params });

type Pinned = Record<string, number | number[]>;
const prod = (a: number[]) => a.reduce((x, y) => x * y, 1);

function collect(): Pinned {
  const topo = pinTopology();
  const params = pinParams();
  const net = makeNet(topo, params);
  const xb = tf.randomUniform([8, 4, 4, 1], 0, 1, 'float32', 11);
  const xt = tf.randomUniform([12, 4, 4, 1], 0, 1, 'float32', 12);
  const y = Int32Array.from(tf.randomUniform([12], 0, 3, 'int32', 13).dataSync());
  const test = [{ x: xt, y }];
  const out: Pinned = {};
  const record = (tag: string, ev: SnnEvaluation, Tmax: number, T: number, coding: 'poisson' | 'direct') => {
    for (const a of ev.accuracy) out[`${tag}.correct@${a.t}`] = Math.round(a.accuracy * ev.samples);
    for (const a of ev.activity) {
      const op = topo.ops.find((o) => o.id === a.op)!;
      out[`${tag}.spikes.${a.op}`] = Math.round(a.rate * Tmax * ev.samples * prod(op.outShape));
    }
    for (const [op, r] of Object.entries(ev.inputRate).sort()) out[`${tag}.inRate.${op}`] = r;
    out[`${tag}.ee@${T}`] = conv.conversionEE(topo, ev.inputRate, T, coding).full;
  };
  const tList = [1, 4, 10, 25];
  for (const coding of ['poisson', 'direct'] as const)
    for (const reset of ['soft', 'hard'] as const) {
      const tag = `${coding}.${reset}`;
      const tb = conv.thresholdBalance(net, [xb], { window: 40, chunk: 16, coding, seed: 5, reset });
      for (const t of tb.thresholds) out[`${tag}.vth.${t.op}`] = t.vth;
      record(tag, conv.evaluateSnn(net, tb.settings, test, { tList, coding, seed: 9, chunk: 8 }), 25, 25, coding);
      const sh = conv.biasShift(net, tb.settings, 10);
      record(
        `${tag}.shift`,
        conv.evaluateSnn(net, sh, test, { tList: [10], coding, seed: 9, chunk: 4 }),
        10,
        10,
        coding,
      );
    }
  for (const coding of ['poisson', 'direct'] as const) {
    const tag = `calib.${coding}`;
    const co = { T: 10, coding, seed: 21, chunk: 4 };
    const mm = conv.thresholdsFromAnn(net, [xb], { method: 'mmse', T: 10, shift: true });
    for (const [op, v] of Object.entries(mm.thresholds)) out[`${tag}.mmse.${op}`] = v;
    const s = conv.biasShift(net, mm, 10);
    const bc = conv.biasCorrection(net, s, xb, co);
    for (const [op, c] of Object.entries(bc.extraCurrent ?? {}))
      out[`${tag}.extra.${op}`] = typeof c === 'number' ? c : Array.from(c);
    const pc = conv.potentialCorrection(net, bc, xb, co);
    for (const [op, v] of Object.entries(pc.v0 ?? {})) out[`${tag}.v0sum.${op}`] = v.reduce((a, b) => a + b, 0);
    record(`${tag}.pc`, conv.evaluateSnn(net, pc, test, { tList: [5, 10], coding, seed: 9, chunk: 4 }), 10, 10, coding);
  }
  tf.dispose([xb, xt, ...Object.values(params)]);
  return out;
}

const EXPECTED: Pinned = {
  'poisson.soft.vth.conv1': 2.1625683307647705,
  'poisson.soft.vth.conv2@1': 4.169094562530518,
  'poisson.soft.vth.conv2@2': 7.376799583435059,
  'poisson.soft.vth.conv2@3': 11.325488090515137,
  'poisson.soft.vth.fc1': 6.735952854156494,
  'poisson.soft.correct@1': 4,
  'poisson.soft.correct@4': 4,
  'poisson.soft.correct@10': 4,
  'poisson.soft.correct@25': 3,
  'poisson.soft.spikes.conv1': 1621,
  'poisson.soft.spikes.conv2@1': 890,
  'poisson.soft.spikes.conv2@2': 355,
  'poisson.soft.spikes.conv2@3': 124,
  'poisson.soft.spikes.fc1': 25,
  'poisson.soft.inRate.conv1': 0.5133333539962769,
  'poisson.soft.inRate.conv2@1': 0.08442708333333333,
  'poisson.soft.inRate.conv2@2': 0.04635416666666667,
  'poisson.soft.inRate.conv2@3': 0.018489583333333334,
  'poisson.soft.inRate.fc1': 0.006458333333333333,
  'poisson.soft.inRate.fc2': 0.010416666666666664,
  'poisson.soft.ee@25': 15.263861362723361,
  'poisson.soft.shift.correct@10': 4,
  'poisson.soft.shift.spikes.conv1': 745,
  'poisson.soft.shift.spikes.conv2@1': 498,
  'poisson.soft.shift.spikes.conv2@2': 277,
  'poisson.soft.shift.spikes.conv2@3': 184,
  'poisson.soft.shift.spikes.fc1': 59,
  'poisson.soft.shift.inRate.conv1': 0.5223958611488342,
  'poisson.soft.shift.inRate.conv2@1': 0.09700520833333334,
  'poisson.soft.shift.inRate.conv2@2': 0.06484375,
  'poisson.soft.shift.inRate.conv2@3': 0.03606770833333333,
  'poisson.soft.shift.inRate.fc1': 0.023958333333333335,
  'poisson.soft.shift.inRate.fc2': 0.06145833333333334,
  'poisson.soft.shift.ee@10': 32.10751467358906,
  'poisson.hard.vth.conv1': 2.1625683307647705,
  'poisson.hard.vth.conv2@1': 5.257937908172607,
  'poisson.hard.vth.conv2@2': 9.42481517791748,
  'poisson.hard.vth.conv2@3': 14.204072952270508,
  'poisson.hard.vth.fc1': 6.228778839111328,
  'poisson.hard.correct@1': 4,
  'poisson.hard.correct@4': 4,
  'poisson.hard.correct@10': 4,
  'poisson.hard.correct@25': 4,
  'poisson.hard.spikes.conv1': 1391,
  'poisson.hard.spikes.conv2@1': 490,
  'poisson.hard.spikes.conv2@2': 136,
  'poisson.hard.spikes.conv2@3': 15,
  'poisson.hard.spikes.fc1': 0,
  'poisson.hard.inRate.conv1': 0.5133333539962769,
  'poisson.hard.inRate.conv2@1': 0.07244791666666667,
  'poisson.hard.inRate.conv2@2': 0.02552083333333333,
  'poisson.hard.inRate.conv2@3': 0.007083333333333333,
  'poisson.hard.inRate.fc1': 0.00078125,
  'poisson.hard.inRate.fc2': 0,
  'poisson.hard.ee@25': 18.18303481385621,
  'poisson.hard.shift.correct@10': 2,
  'poisson.hard.shift.spikes.conv1': 641,
  'poisson.hard.shift.spikes.conv2@1': 309,
  'poisson.hard.shift.spikes.conv2@2': 148,
  'poisson.hard.shift.spikes.conv2@3': 96,
  'poisson.hard.shift.spikes.fc1': 43,
  'poisson.hard.shift.inRate.conv1': 0.5223958611488342,
  'poisson.hard.shift.inRate.conv2@1': 0.08346354166666667,
  'poisson.hard.shift.inRate.conv2@2': 0.040234375,
  'poisson.hard.shift.inRate.conv2@3': 0.01927083333333333,
  'poisson.hard.shift.inRate.fc1': 0.0125,
  'poisson.hard.shift.inRate.fc2': 0.04479166666666667,
  'poisson.hard.shift.ee@10': 38.62395731455023,
  'direct.soft.vth.conv1': 1.4812219142913818,
  'direct.soft.vth.conv2@1': 3.722057819366455,
  'direct.soft.vth.conv2@2': 6.307216167449951,
  'direct.soft.vth.conv2@3': 12.801176071166992,
  'direct.soft.vth.fc1': 9.568916320800781,
  'direct.soft.correct@1': 4,
  'direct.soft.correct@4': 4,
  'direct.soft.correct@10': 4,
  'direct.soft.correct@25': 3,
  'direct.soft.spikes.conv1': 2329,
  'direct.soft.spikes.conv2@1': 1014,
  'direct.soft.spikes.conv2@2': 451,
  'direct.soft.spikes.conv2@3': 103,
  'direct.soft.spikes.fc1': 12,
  'direct.soft.inRate.conv1': 1,
  'direct.soft.inRate.conv2@1': 0.12130208333333334,
  'direct.soft.inRate.conv2@2': 0.0528125,
  'direct.soft.inRate.conv2@3': 0.02348958333333333,
  'direct.soft.inRate.fc1': 0.005364583333333332,
  'direct.soft.inRate.fc2': 0.005,
  'direct.soft.ee@25': 8.194631434876118,
  'direct.soft.shift.correct@10': 2,
  'direct.soft.shift.spikes.conv1': 1018,
  'direct.soft.shift.spikes.conv2@1': 530,
  'direct.soft.shift.spikes.conv2@2': 304,
  'direct.soft.shift.spikes.conv2@3': 138,
  'direct.soft.shift.spikes.fc1': 39,
  'direct.soft.shift.inRate.conv1': 1,
  'direct.soft.shift.inRate.conv2@1': 0.13255208333333332,
  'direct.soft.shift.inRate.conv2@2': 0.06901041666666666,
  'direct.soft.shift.inRate.conv2@3': 0.03958333333333333,
  'direct.soft.shift.inRate.fc1': 0.01796875,
  'direct.soft.shift.inRate.fc2': 0.040625,
  'direct.soft.shift.ee@10': 10.17786705244424,
  'direct.hard.vth.conv1': 1.4812219142913818,
  'direct.hard.vth.conv2@1': 4.565446853637695,
  'direct.hard.vth.conv2@2': 7.58231782913208,
  'direct.hard.vth.conv2@3': 11.920498847961426,
  'direct.hard.vth.fc1': 5.033475875854492,
  'direct.hard.correct@1': 4,
  'direct.hard.correct@4': 4,
  'direct.hard.correct@10': 4,
  'direct.hard.correct@25': 4,
  'direct.hard.spikes.conv1': 1993,
  'direct.hard.spikes.conv2@1': 576,
  'direct.hard.spikes.conv2@2': 186,
  'direct.hard.spikes.conv2@3': 25,
  'direct.hard.spikes.fc1': 1,
  'direct.hard.inRate.conv1': 1,
  'direct.hard.inRate.conv2@1': 0.10380208333333334,
  'direct.hard.inRate.conv2@2': 0.030000000000000006,
  'direct.hard.inRate.conv2@3': 0.0096875,
  'direct.hard.inRate.fc1': 0.0013020833333333335,
  'direct.hard.inRate.fc2': 0.00041666666666666664,
  'direct.hard.ee@25': 9.15606849823823,
  'direct.hard.shift.correct@10': 3,
  'direct.hard.shift.spikes.conv1': 875,
  'direct.hard.shift.spikes.conv2@1': 312,
  'direct.hard.shift.spikes.conv2@2': 175,
  'direct.hard.shift.spikes.conv2@3': 108,
  'direct.hard.shift.spikes.fc1': 49,
  'direct.hard.shift.inRate.conv1': 1,
  'direct.hard.shift.inRate.conv2@1': 0.11393229166666667,
  'direct.hard.shift.inRate.conv2@2': 0.040625,
  'direct.hard.shift.inRate.conv2@3': 0.022786458333333336,
  'direct.hard.shift.inRate.fc1': 0.0140625,
  'direct.hard.shift.inRate.fc2': 0.051041666666666666,
  'direct.hard.shift.ee@10': 10.842526581885512,
  'calib.poisson.mmse.conv1': 1.377536380290985,
  'calib.poisson.mmse.conv2@1': 1.3986056423187256,
  'calib.poisson.mmse.conv2@2': 1.2475671947002411,
  'calib.poisson.mmse.conv2@3': 1.8905050706863402,
  'calib.poisson.mmse.fc1': 1.1587507724761963,
  'calib.poisson.extra.conv1': [0.04900248721241951, 0.05766905099153519, 0.06997597217559814, 0.05791330710053444],
  'calib.poisson.extra.conv2@1': [0.0592472143471241, 0.07033994793891907, 0.06061563640832901, 0.11013299226760864],
  'calib.poisson.extra.conv2@2': [0.06615158170461655, 0.07837545871734619, 0.06825338304042816, 0.07889938354492188],
  'calib.poisson.extra.conv2@3': [0.10178366303443909, 0.10682164132595062, 0.09446743130683899, 0.11475072056055069],
  'calib.poisson.extra.fc1': [
    0.321065753698349, 0.045692477375268936, 0.06704569607973099, 0.1651621162891388, 0.03386865556240082,
    0.011469608172774315, 0.049879223108291626, 0.04898792505264282,
  ],
  'calib.poisson.v0sum.conv1': -1.2134783621877432,
  'calib.poisson.v0sum.conv2@1': 0.5011342000216246,
  'calib.poisson.v0sum.conv2@2': 0.19689000584185123,
  'calib.poisson.v0sum.conv2@3': -3.569561656564474,
  'calib.poisson.v0sum.fc1': 1.0585862770676613,
  'calib.poisson.pc.correct@5': 3,
  'calib.poisson.pc.correct@10': 4,
  'calib.poisson.pc.spikes.conv1': 1122,
  'calib.poisson.pc.spikes.conv2@1': 1456,
  'calib.poisson.pc.spikes.conv2@2': 1642,
  'calib.poisson.pc.spikes.conv2@3': 1054,
  'calib.poisson.pc.spikes.fc1': 386,
  'calib.poisson.pc.inRate.conv1': 0.5223958611488342,
  'calib.poisson.pc.inRate.conv2@1': 0.14609374999999997,
  'calib.poisson.pc.inRate.conv2@2': 0.18958333333333333,
  'calib.poisson.pc.inRate.conv2@3': 0.2138020833333333,
  'calib.poisson.pc.inRate.fc1': 0.13723958333333333,
  'calib.poisson.pc.inRate.fc2': 0.4020833333333334,
  'calib.poisson.pc.ee@10': 15.336393041674787,
  'calib.direct.mmse.conv1': 1.377536380290985,
  'calib.direct.mmse.conv2@1': 1.3986056423187256,
  'calib.direct.mmse.conv2@2': 1.2475671947002411,
  'calib.direct.mmse.conv2@3': 1.8905050706863402,
  'calib.direct.mmse.fc1': 1.1587507724761963,
  'calib.direct.extra.conv1': [0.07267890125513077, 0.07058345526456833, 0.06997597217559814, 0.06867530941963196],
  'calib.direct.extra.conv2@1': [0.06361785531044006, 0.06378398835659027, 0.0704495832324028, 0.09155776351690292],
  'calib.direct.extra.conv2@2': [0.0690755620598793, 0.08714741468429565, 0.06630405783653259, 0.07402607798576355],
  'calib.direct.extra.conv2@3': [0.10326062142848969, 0.09795989096164703, 0.09151351451873779, 0.1132737547159195],
  'calib.direct.extra.fc1': [
    0.3355501592159271, 0.04569247364997864, 0.09601446986198425, 0.15067774057388306, 0.03386865556240082,
    0.011469604447484016, 0.03539483621716499, 0.03450354188680649,
  ],
  'calib.direct.v0sum.conv1': 0.6806341540068388,
  'calib.direct.v0sum.conv2@1': -0.722645191475749,
  'calib.direct.v0sum.conv2@2': 0.8206740077584982,
  'calib.direct.v0sum.conv2@3': -0.7338041663169861,
  'calib.direct.v0sum.fc1': 1.3482740446925163,
  'calib.direct.pc.correct@5': 4,
  'calib.direct.pc.correct@10': 4,
  'calib.direct.pc.spikes.conv1': 1103,
  'calib.direct.pc.spikes.conv2@1': 1387,
  'calib.direct.pc.spikes.conv2@2': 1531,
  'calib.direct.pc.spikes.conv2@3': 993,
  'calib.direct.pc.spikes.fc1': 352,
  'calib.direct.pc.inRate.conv1': 1,
  'calib.direct.pc.inRate.conv2@1': 0.14361979166666666,
  'calib.direct.pc.inRate.conv2@2': 0.18059895833333334,
  'calib.direct.pc.inRate.conv2@3': 0.19934895833333335,
  'calib.direct.pc.inRate.fc1': 0.129296875,
  'calib.direct.pc.inRate.fc2': 0.36666666666666664,
  'calib.direct.pc.ee@10': 7.950956957249945,
};

describe('conversion pin (pre-#13 numbers)', () => {
  it('threshold balancing, simulation, bias shift and calibration reproduce the recorded values', () => {
    const got = collect();
    if (process.env.PIN_PRINT) writeFileSync(process.env.PIN_PRINT, JSON.stringify(got));
    expect(Object.keys(got).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [k, e] of Object.entries(EXPECTED)) {
      const g = got[k];
      const es = Array.isArray(e) ? e : [e];
      const gs = Array.isArray(g) ? g : [g];
      expect(gs.length, k).toBe(es.length);
      es.forEach((ev, i) => {
        if (Number.isInteger(ev) && !k.includes('.vth.') && !k.includes('Rate') && !k.includes('.extra.'))
          expect(gs[i], k).toBe(ev);
        else
          expect(Math.abs(gs[i] - ev), `${k}[${i}]: ${gs[i]} vs ${ev}`).toBeLessThanOrEqual(
            1e-6 * Math.max(1, Math.abs(ev)),
          );
      });
    }
  });
});
