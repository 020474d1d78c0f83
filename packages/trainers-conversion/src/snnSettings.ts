/**
 * What conversion adds on top of the ANN weights, per spiking op id (BackRes: per unroll step).
 * Kept apart from the weights so each low-latency method is a pure function settings -> settings.
 */
export interface SnnSettings {
  /** IF threshold per spiking op */
  thresholds: Record<string, number>;
  /** extra input current per step per op: bias shift (Deng & Gu) and bias correction (Li et al.); scalar or per channel */
  extraCurrent?: Record<string, number | Float32Array>;
  /** initial membrane potential per op, one sample's shape (potential correction, Li et al.) */
  v0?: Record<string, Float32Array>;
  /** IF reset of every spiking op: 'soft' (default; subtract θ) or 'hard' (to zero) */
  reset?: 'soft' | 'hard';
}

export function addExtraCurrent(s: SnnSettings, opId: string, add: number | Float32Array): SnnSettings {
  const prev = s.extraCurrent?.[opId];
  let next: number | Float32Array;
  if (prev === undefined) next = typeof add === 'number' ? add : Float32Array.from(add);
  else if (typeof prev === 'number' && typeof add === 'number') next = prev + add;
  else {
    const len = typeof prev === 'number' ? (add as Float32Array).length : prev.length;
    next = new Float32Array(len);
    for (let i = 0; i < len; i++)
      next[i] = (typeof prev === 'number' ? prev : prev[i]) + (typeof add === 'number' ? add : add[i]);
  }
  return { ...s, extraCurrent: { ...(s.extraCurrent ?? {}), [opId]: next } };
}

export function cloneSettings(s: SnnSettings): SnnSettings {
  return {
    thresholds: { ...s.thresholds },
    extraCurrent: s.extraCurrent ? { ...s.extraCurrent } : undefined,
    v0: s.v0 ? { ...s.v0 } : undefined,
    reset: s.reset,
  };
}
