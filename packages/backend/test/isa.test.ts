import { describe, expect, it } from 'vitest';
import { onednnIsa } from '../src/isa.js';

const AVX512 = 'fpu sse4_1 avx avx2 fma avx512f avx512dq avx512bw avx512vl avx512_fp16';
const AVX2 = 'fpu sse4_1 avx avx2 fma';

describe("oneDNN's instruction-set class (part of the tensorflow engine label)", () => {
  it('is the best class the CPU flags allow', () => {
    expect(onednnIsa({}, AVX512)).toBe('avx512');
    expect(onednnIsa({}, AVX2)).toBe('avx2');
    expect(onednnIsa({}, 'fpu sse4_1 avx')).toBe('avx');
    expect(onednnIsa({}, 'fpu sse4_1')).toBe('sse41');
    expect(onednnIsa({}, 'fpu sse4_1 avx avx2 fma avx512f')).toBe('avx2'); // avx512f alone is not avx512_core
  });
  it('is capped by ONEDNN_MAX_CPU_ISA (by its longest prefix), and eigen with oneDNN off', () => {
    expect(onednnIsa({ ONEDNN_MAX_CPU_ISA: 'AVX2' }, AVX512)).toBe('avx2');
    expect(onednnIsa({ ONEDNN_MAX_CPU_ISA: 'AVX2_VNNI' }, AVX512)).toBe('avx2');
    expect(onednnIsa({ ONEDNN_MAX_CPU_ISA: 'AVX512_CORE_FP16' }, AVX512)).toBe('avx512');
    expect(onednnIsa({ ONEDNN_MAX_CPU_ISA: 'AVX512_CORE' }, AVX2)).toBe('avx2'); // a cap never raises
    expect(onednnIsa({ ONEDNN_MAX_CPU_ISA: 'ALL' }, AVX2)).toBe('avx2');
    expect(onednnIsa({ TF_ENABLE_ONEDNN_OPTS: '0' }, AVX512)).toBe('eigen');
  });
  it('is the architecture where the CPU has no x86 flags', () => {
    expect(onednnIsa({}, null)).toBe(process.arch);
  });
});
