/**
 * @snn/pipeline: the stage runner (runStage, stage config, profiles, progress, stage discovery). Only
 * stage glue and stages import it; the generic utilities it uses live in @snn/runtime and are
 * re-exported here for the stages' convenience.
 */
export { runStage, RowSkipped, abortsStage } from './runStage.js';
export type {
  RunStageOptions,
  RowContext,
  RowResult,
  MetricValue,
  LayerActivity,
  EngineRecord,
  StageSummary,
} from './runStage.js';
export { baseRow, anyRow, loadStageConfig, explainStageConfig, rowHash, ConfigError } from './config.js';
export type { BaseRow, StageConfig, ExpandedRow } from './config.js';
export { PROFILES, PROFILE_NAMES, resolveProfile, isProfileName } from './profiles.js';
export type { ProfileName, ProfileInfo } from './profiles.js';
export { StageProgress, formatSeconds } from './progress.js';
export type { ProgressUpdate } from './progress.js';
export { listStages } from './stages.js';
export type { StageInfo } from './stages.js';
export {
  stableStringify,
  sha256,
  RowBusy,
  tryLock,
  lockHolder,
  withLock,
  computeOnce,
  writeFileAtomic,
  WriteError,
  repoRoot,
  resultsRoot,
  profileResults,
  gitVersion,
  isUncommitted,
  codeFingerprint,
  dataFingerprint,
  moduleCodeFingerprint,
  engineLabel,
  engineTag,
} from '@snn/runtime';
export type { WorkLock } from '@snn/runtime';
