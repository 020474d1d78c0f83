import type { tf } from './tf.js';
import type { ConversionNet, InputCoding } from './convertible.js';
import type { SnnSettings } from './snnSettings.js';
import { biasShift } from './biasShift.js';
import { thresholdsFromAnn } from './thresholdSearch.js';
import { biasCorrection, potentialCorrection, weightCalibration } from './calibration.js';

/**
 * Conversion recipes chosen by name (as SpikingJelly's converter takes a mode by name): each turns
 * the trained ANN (+ its threshold-balanced settings) into the SNN that is evaluated at latency T.
 */
export interface RecipeContext {
  net: ConversionNet;
  /** threshold-balanced settings (Sengupta et al. 2019), computed once per net by the caller */
  balanced: SnnSettings;
  /** calibration images (Li et al. 2021), [B, h, w, c] in [0, 1]; needed by recipes with usesCalibration */
  calib?: tf.Tensor;
  T: number;
  coding: InputCoding;
  seed: number;
  chunk: number;
  /** Adam steps / learning rate of layer-wise weight calibration ('advanced') */
  weightSteps: number;
  weightLr: number;
}

export interface CalibrationRecipe {
  name: string;
  description: string;
  /** reads the calibration images (false: only the balanced thresholds) */
  usesCalibration: boolean;
  /** depends on T (false: one simulation serves every T) */
  dependsOnT: boolean;
  /** the net to simulate (a new one, which the caller disposes, when weights were calibrated) and its settings */
  apply(ctx: RecipeContext): Promise<{ net: ConversionNet; settings: SnnSettings }>;
}

function calibOf(c: RecipeContext): tf.Tensor {
  if (!c.calib) throw new Error('conversion recipe: calibration images (calib) are required');
  return c.calib;
}

const light = (c: RecipeContext): SnnSettings => {
  const co = { T: c.T, coding: c.coding, seed: c.seed, chunk: c.chunk };
  const x = calibOf(c);
  const s = biasShift(c.net, thresholdsFromAnn(c.net, [x], { method: 'mmse', T: c.T, shift: true }), c.T);
  return biasCorrection(c.net, s, x, co);
};

export const CALIBRATION_RECIPES: Record<string, CalibrationRecipe> = {
  tb: {
    name: 'tb',
    description: 'threshold balancing (Sengupta et al. 2019)',
    usesCalibration: false,
    dependsOnT: false,
    apply: async (c) => ({ net: c.net, settings: c.balanced }),
  },
  'tb-shift': {
    name: 'tb-shift',
    description: 'threshold balancing + bias shift V_th/(2T) (Deng & Gu 2021)',
    usesCalibration: false,
    dependsOnT: true,
    apply: async (c) => ({ net: c.net, settings: biasShift(c.net, c.balanced, c.T) }),
  },
  light: {
    name: 'light',
    description: 'Li et al. 2021 light pipeline: MMSE thresholds at T + bias shift + bias correction',
    usesCalibration: true,
    dependsOnT: true,
    apply: async (c) => ({ net: c.net, settings: light(c) }),
  },
  advanced: {
    name: 'advanced',
    description: 'light + potential correction + layer-wise weight calibration (Li et al. 2021)',
    usesCalibration: true,
    dependsOnT: true,
    apply: async (c) => {
      const co = { T: c.T, coding: c.coding, seed: c.seed, chunk: c.chunk };
      const s = potentialCorrection(c.net, light(c), calibOf(c), co);
      const net =
        c.weightSteps > 0
          ? await weightCalibration(c.net, s, calibOf(c), { ...co, steps: c.weightSteps, lr: c.weightLr })
          : c.net;
      return { net, settings: s };
    },
  },
};

export function calibrationRecipe(name: string): CalibrationRecipe {
  const r = CALIBRATION_RECIPES[name];
  if (!r)
    throw new Error(`unknown conversion recipe '${name}' (known: ${Object.keys(CALIBRATION_RECIPES).join(', ')})`);
  return r;
}
