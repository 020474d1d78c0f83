// Result records and their Arrow I/O: what every stage writes (through @snn/pipeline) and the
// report reads. The Markdown tables and Vega-Lite figures live in pipelines/report, so editing
// them reruns only the report, not the stages (whose code fingerprints include this package).
export * from './schema.js';
export * from './arrow.js';
