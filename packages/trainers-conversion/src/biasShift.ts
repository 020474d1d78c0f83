import { spikingOps, type ConversionNet } from './convertible.js';
import { addExtraCurrent, type SnnSettings } from './snnSettings.js';

/**
 * Bias shift of Deng & Gu (ICLR 2021): add θ/(2T) to every spiking op's bias, so that the IF
 * layer computes clamp(floor((Wx + b + θ/2T)·T/θ), 0, T)·θ/T ≈ round instead of floor — halving
 * the expected quantisation ("flooring") error at latency T. Applied as an extra constant input
 * current per step (the op's bias term when it has one, an added constant current otherwise).
 */
export function biasShift(net: ConversionNet, snn: SnnSettings, T: number): SnnSettings {
  let s = snn;
  for (const op of spikingOps(net)) s = addExtraCurrent(s, op.id, snn.thresholds[op.id] / (2 * T));
  return s;
}
