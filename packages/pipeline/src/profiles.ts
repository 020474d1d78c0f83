/**
 * Profiles scale the paper's rows to the machine at hand (architecture.md, "Runs, profiles,
 * results"). A profile is a name and a purpose, nothing more: what it changes in a row is written
 * in the stage's own config, as one layer of overrides (`profiles.<name>` of the stage, then of the
 * row) on top of the row, so every value a trainer reads is in the resolved row and
 * `pnpm reproduce --explain <stage>[/<row>]` shows where it came from. The profile name is part of
 * every row's identity (see rowHash).
 */
export type ProfileName = 'smoke' | 'quick' | 'paper';
export const PROFILE_NAMES: readonly ProfileName[] = ['smoke', 'quick', 'paper'];

export interface ProfileInfo {
  name: ProfileName;
  /** What the profile is for and its time budget (shown in table headers). */
  description: string;
}

export const PROFILES: Readonly<Record<ProfileName, ProfileInfo>> = {
  smoke: { name: 'smoke', description: 'CI plumbing: real data, tiny subsets; whole pipeline in minutes' },
  quick: { name: 'quick', description: '2-core laptop, no GPU: whole pipeline in about an hour' },
  paper: { name: 'paper', description: "the paper's data sizes, widths, epochs and T (a big machine)" },
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
