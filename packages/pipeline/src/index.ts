export { runStage, RowSkipped, abortsStage, engineLabel, engineTag } from './runStage.js';
export { RowBusy, tryLock, lockHolder, withLock, computeOnce } from './work-lock.js';
export type { WorkLock } from './work-lock.js';
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
export { PROFILES, PROFILE_NAMES, resolveProfile, isProfileName, scaledEpochs } from './profiles.js';
export type { ProfileName, ProfileSettings } from './profiles.js';
export { stableStringify, sha256 } from './hash.js';
export { writeFileAtomic, WriteError, repoRoot, resultsRoot, profileResults } from './fsutil.js';
export { gitVersion, isUncommitted, codeFingerprint, dataFingerprint, moduleCodeFingerprint } from './provenance.js';
export { StageProgress, formatSeconds } from './progress.js';
export type { ProgressUpdate } from './progress.js';
export { listStages } from './stages.js';
export type { StageInfo } from './stages.js';
