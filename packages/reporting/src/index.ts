export * from './schema.js';
export * from './arrow.js';
export { formatValue } from './format.js';
export { renderStageTable, rowComment, parseRowComment } from './markdown.js';
export type { StageTableInput, StageTableRow } from './markdown.js';
export { eeBarSpec, metricBarSpec, accuracyVsTSpec, accuracyVsEnergySpec, activitySpec, renderSvg } from './figures.js';
