// Table 6's rows for issue 14 (defect 4): the inference settings and the paper's plain STDP rule,
// each beside today's row, and what each row shares with it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Row {
  id: string;
  topology: string;
  method: string;
  classifier?: string;
  inference?: string;
  readaptImages?: number;
  stdp?: { rule?: Record<string, unknown> };
  note?: string;
  profiles?: { quick?: { skip?: string } };
}
const config = JSON.parse(readFileSync(new URL('../config.json', import.meta.url), 'utf8')) as { rows: Row[] };
const byId = new Map(config.rows.map((r) => [r.id, r]));
const TOPOLOGIES = ['resnet2', 'resnet2x2', 'resnet3'];

/** a row without its label and the fields named */
const strip = (r: Row, ...fields: (keyof Row)[]) => {
  const o: Record<string, unknown> = { ...r };
  for (const f of ['id', 'note', 'paper', 'profiles', ...fields]) delete o[f];
  return o;
};

describe('table-06 inference and plain-rule rows', () => {
  it("each topology's default STDP row is labelled as the free-inference reading and has a WTA, a re-adapted and a plain-rule twin", () => {
    for (const t of TOPOLOGIES) {
      const base = byId.get(`${t}-stdp`)!;
      expect(base.inference ?? 'free').toBe('free');
      expect(base.note).toMatch(/inference without competition/);
      const wta = byId.get(`${t}-stdp-wta-inference`)!;
      const readapt = byId.get(`${t}-stdp-readapt-inference`)!;
      expect(wta.inference).toBe('wta');
      expect(readapt.inference).toBe('readapt');
      // inference-only twins: everything that shapes the kernels is the base row's (so they share its kernels)
      // each variant is labelled by its own method (the claims' 'stdp' rows are the default reading)
      expect([wta.method, readapt.method]).toEqual(['stdp-wta-inference', 'stdp-readapt-inference']);
      expect(strip(wta, 'inference', 'method')).toEqual(strip(base, 'method'));
      expect(strip(readapt, 'inference', 'readaptImages', 'method')).toEqual(strip(base, 'method'));
      const plain = byId.get(`${t}-stdp-plain-rule`)!;
      expect(plain.method).toBe('stdp-plain-rule');
      expect(strip(plain, 'stdp', 'method')).toEqual(strip(base, 'method'));
    }
  });

  it("the plain-rule rows use the paper's rule: constant offset, no zero-mean, normalisation or decorrelation", () => {
    for (const t of TOPOLOGIES) {
      const rule = byId.get(`${t}-stdp-plain-rule`)!.stdp!.rule!;
      expect(rule).toMatchObject({ offsetMode: 'constant', zeroMean: false, normalize: false, decorrelate: 0 });
    }
  });

  it('rows not run at quick say why', () => {
    for (const r of config.rows) {
      const skip = r.profiles?.quick?.skip;
      if (skip !== undefined) expect(skip).toMatch(/^not run at quick: .+/);
    }
    // at quick: the ResNet2 re-adapted inference row (it reuses resnet2-stdp's kernels) and the ResNet2 plain-rule row
    expect(byId.get('resnet2-stdp-readapt-inference')!.profiles?.quick?.skip).toBeUndefined();
    expect(byId.get('resnet2-stdp-plain-rule')!.profiles?.quick?.skip).toBeUndefined();
  });
});
