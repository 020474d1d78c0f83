/**
 * @snn/runtime: the generic utilities libraries and stages share (below the trainers; never the
 * stage runner, which is @snn/pipeline): hashing, content-keyed work locks, provenance (code and
 * data fingerprints, engine labels), atomic writes and the workspace's folders.
 */
export { stableStringify, sha256 } from './hash.js';
export { RowBusy, tryLock, lockHolder, withLock, computeOnce } from './work-lock.js';
export type { WorkLock } from './work-lock.js';
export { slotPoolFromEnv, withSlot } from './slots.js';
export type { SlotPool } from './slots.js';
export { writeFileAtomic, WriteError, repoRoot, resultsRoot, profileResults } from './fsutil.js';
export { gitVersion, isUncommitted, codeFingerprint, dataFingerprint, moduleCodeFingerprint } from './provenance.js';
export { engineLabel, engineTag } from './engine.js';
export type { EngineRecord } from './engine.js';
