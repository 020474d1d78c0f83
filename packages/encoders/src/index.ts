export { poissonEncode, poissonEncodeChunk, poissonChunkSeed } from './poisson.js';
export { directEncode } from './direct.js';
export type { DirectInput } from './direct.js';
export { latencyEncode } from './latency.js';
