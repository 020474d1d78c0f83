/** Structurally compatible with @snn/backend's EngineInfo; name 'none' for stages without tensors. */
export interface EngineRecord {
  name: string;
  version: string;
  simd?: boolean;
  threads?: number;
  tfVersion?: string;
  /** tensorflow: oneDNN's instruction-set class (e.g. avx512); results differ in the last bits across classes */
  isa?: string;
}

/** The engine a result was computed on, as recorded on rows and in cache keys (e.g. `tensorflow@4.22.0+avx512+tf2.21.0`). */
export function engineLabel(e: EngineRecord): string {
  if (e.name === 'none') return 'none';
  // the ISA before the TF version: a thread count `x<n>` only ever follows the version (`...+tf2.21.0x2`)
  return `${e.name}${e.version ? `@${e.version}` : ''}${e.isa ? `+${e.isa}` : ''}${e.tfVersion ? `+tf${e.tfVersion}` : ''}${e.simd ? '+simd' : ''}${e.threads && e.threads > 1 ? `x${e.threads}` : ''}`;
}

/** An engine label as a file-name part (checkpoint and cache folders): `tensorflow@4.22.0+tf2.21.0` -> `tensorflow_4.22.0+tf2.21.0`. */
export function engineTag(label: string): string {
  return label.replace(/[^A-Za-z0-9.+-]/g, '_');
}
