/**
 * Profiles scale the paper's rows to the machine at hand (architecture.md, "Runs, profiles,
 * results"). A profile is a typed record of knobs; trainer stages read them from `ctx.settings`
 * and a stage's config may override any row field per profile. The profile name AND its settings
 * are part of every row's identity (see rowHash), so changing a knob here reruns the rows.
 */
export type ProfileName = 'smoke' | 'quick' | 'paper';
export const PROFILE_NAMES: readonly ProfileName[] = ['smoke', 'quick', 'paper'];

export interface ProfileSettings {
  name: ProfileName;
  /** What the profile is for and its time budget (shown in table headers). */
  description: string;
  /** Training images per dataset (balanced subset); 'all' = the full set. */
  trainSamples: number | 'all';
  /** Test images (balanced subset); 'all' = the full set. */
  testSamples: number | 'all';
  /** Multiplies a row's epoch count (rounded, at least 1). */
  epochScale: number;
  /** Upper bound on epochs after scaling (Infinity = none). */
  maxEpochs: number;
  /** Channel-width multiplier passed to getTopology({ width }) (1 = VGG-style paper widths). */
  width: number;
  batchSize: number;
  /** Upper bound on simulation steps T (conversion windows of 2,000+ steps are capped here). */
  maxT: number;
}

export const PROFILES: Readonly<Record<ProfileName, ProfileSettings>> = {
  smoke: {
    name: 'smoke',
    description: 'CI plumbing: real data, tiny subsets; whole pipeline in minutes',
    trainSamples: 200,
    testSamples: 100,
    epochScale: 0,
    maxEpochs: 1,
    width: 0.125,
    batchSize: 20,
    maxT: 8,
  },
  quick: {
    // Cost (2 cores, tfjs-node): 60.7 min for the whole pipeline, measured (README: per stage);
    // stage configs set what it trains: AGD 4,000 images x 1 epoch at width 1/8 (the T = 50 rows of
    // tables 8 and 11 are not run), conversion ANNs 5,000 x 8 epochs at width 1/4, STDP T = 10 with 3 seeds.
    name: 'quick',
    description: '2-core laptop, no GPU: whole pipeline in about an hour',
    trainSamples: 5000,
    testSamples: 1000,
    epochScale: 0.1,
    maxEpochs: 5,
    width: 0.25,
    batchSize: 32,
    maxT: 100,
  },
  paper: {
    name: 'paper',
    description: "the paper's data sizes, widths, epochs and T (a big machine)",
    trainSamples: 'all',
    testSamples: 'all',
    epochScale: 1,
    maxEpochs: Number.POSITIVE_INFINITY,
    width: 1,
    batchSize: 64,
    maxT: Number.POSITIVE_INFINITY,
  },
};

export function isProfileName(s: string): s is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(s);
}

/** The profile from an explicit value or env SNN_PROFILE; `quick` by default. Unknown names throw. */
export function resolveProfile(name?: string): ProfileName {
  const p = name ?? process.env.SNN_PROFILE ?? 'quick';
  if (!isProfileName(p)) throw new Error(`unknown profile '${p}': expected one of ${PROFILE_NAMES.join(', ')}`);
  return p;
}

/** Epochs a row should train for under a profile: round(epochs * epochScale) clamped to [1, maxEpochs]. */
export function scaledEpochs(epochs: number, s: ProfileSettings): number {
  return Math.max(1, Math.min(s.maxEpochs, Math.round(epochs * s.epochScale)));
}
