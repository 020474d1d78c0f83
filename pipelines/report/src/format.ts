/** Number formatting shared by the tables, the claims and the audit (one place, so they agree). */
export function formatValue(v: number | null | undefined, unit: string | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  switch (unit) {
    case '%':
      return v.toFixed(2);
    case 'count':
      return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2);
    case 'x':
      return v.toFixed(2);
    default: {
      const a = Math.abs(v);
      if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
      return Number(v.toPrecision(4)).toString();
    }
  }
}
