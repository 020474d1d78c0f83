// The CPU's instruction-set class as TensorFlow's oneDNN kernels see it. No tensors here: the stage
// runner reads it (to tell whether a finished row was computed on the same kind of CPU) without
// loading an engine. Measured on one Xeon (quick, VGG7 ANN, 200 test images): 45.5% with oneDNN on
// avx512, 47.0% capped at avx2 (ONEDNN_MAX_CPU_ISA=AVX2), 52.0% with oneDNN off: the same code,
// seed and engine version give other numbers on another class of CPU.
import { readFileSync } from 'node:fs';

const ISA_ORDER = ['sse41', 'avx', 'avx2', 'avx512'] as const;

/**
 * The x86 instruction-set class oneDNN's float32 kernels use on this CPU: the best of avx512
 * (avx512f+bw+vl+dq, oneDNN's avx512_core), avx2 (with fma), avx, sse41, capped by
 * ONEDNN_MAX_CPU_ISA; `eigen` when TF_ENABLE_ONEDNN_OPTS=0 turns oneDNN off; the architecture
 * (e.g. `arm64`) where /proc/cpuinfo has no x86 flags.
 */
export function onednnIsa(env: NodeJS.ProcessEnv = process.env, cpuFlags: string | null = readCpuFlags()): string {
  if (env.TF_ENABLE_ONEDNN_OPTS === '0') return 'eigen';
  if (cpuFlags === null) return process.arch;
  const f = new Set(cpuFlags.split(/\s+/));
  const best = ['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((x) => f.has(x))
    ? 'avx512'
    : f.has('avx2') && f.has('fma')
      ? 'avx2'
      : f.has('avx')
        ? 'avx'
        : 'sse41';
  // ONEDNN_MAX_CPU_ISA names oneDNN's own classes (AVX2_VNNI, AVX512_CORE_FP16, ...): the longest prefix of ours
  const cap = (env.ONEDNN_MAX_CPU_ISA ?? '').toLowerCase();
  let capped = -1;
  for (let k = ISA_ORDER.length - 1; k >= 0 && capped < 0; k--) if (cap.startsWith(ISA_ORDER[k])) capped = k;
  const i = ISA_ORDER.indexOf(best);
  return capped >= 0 && capped < i ? ISA_ORDER[capped] : best;
}

let flags: string | null | undefined;

/** /proc/cpuinfo's x86 flags, read once per process (the stage runner asks for every finished row). */
function readCpuFlags(): string | null {
  if (flags !== undefined) return flags;
  try {
    const m = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    flags = m ? m[1] : null;
  } catch {
    flags = null;
  }
  return flags;
}
