/** @snn/energy: MAC/AC op counts, 45 nm compute energy, EE = E_ANN / E_SNN, unique parameters (Panda et al. 2020). */
export {
  E_PRESETS,
  DEFAULT_PRESET,
  annEnergy,
  snnEnergy,
  macOpsFor,
  inputActivity,
  energyEfficiency,
  uniqueParams,
  compressionRatio,
} from './energy.js';
export type {
  EnergyPreset,
  EnergyPresetName,
  OpEnergy,
  EnergyReport,
  SnnEnergyOptions,
  EfficiencyReport,
} from './energy.js';
