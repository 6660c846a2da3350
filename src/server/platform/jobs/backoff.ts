/**
 * How long a failed job waits before its next attempt. Pure: the randomness is passed in, so tests
 * (and anyone reading a schedule) get exact numbers.
 */
export interface BackoffPolicy {
  /** Delay ceiling after the first failed attempt, in milliseconds. */
  baseMs: number;
  /** The ceiling never grows past this, in milliseconds. */
  capMs: number;
}

/** 1 s after the first failure, doubling up to 1 h: 25 attempts then span roughly 15 hours. */
export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ baseMs: 1_000, capMs: 3_600_000 });

/** A source of numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * The delay before the next attempt of a job that has failed `attempts` times so far (1 after the first
 * failure): `min(cap, base * 2^(attempts - 1))`, scaled by a factor in [0.5, 1] drawn from `random`.
 *
 * Why this jitter ("equal jitter") rather than none or the full [0, 1] range: when a dependency comes back
 * after an outage, hundreds of deliveries that failed together must not retry in the same millisecond
 * (jitter spreads them), yet a retry should never come almost immediately after a failure (the floor of
 * half the ceiling keeps the schedule predictable for operators reading `run_at`).
 *
 * @example
 *   backoffDelay(1, DEFAULT_BACKOFF, () => 1);   // 1_000
 *   backoffDelay(3, DEFAULT_BACKOFF, () => 0);   // 2_000 (half of 4_000)
 *   backoffDelay(40, DEFAULT_BACKOFF, () => 1);  // 3_600_000 (capped)
 */
export function backoffDelay(attempts: number, policy: BackoffPolicy, random: RandomSource): number {
  // 2^52 * base is still finite, and the cap applies long before; clamping keeps `0 * Infinity` (NaN) out.
  const exponent = Math.min(Math.max(Math.floor(attempts), 1) - 1, 52);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling * (0.5 + 0.5 * r));
}

/** Checks a (possibly partial, per-task) policy and fills it from the defaults. Throws naming the bad field. */
export function resolveBackoff(policy: Partial<BackoffPolicy> | undefined, owner: string): BackoffPolicy {
  const resolved = { ...DEFAULT_BACKOFF, ...policy };
  if (!Number.isFinite(resolved.baseMs) || resolved.baseMs < 0) {
    throw new RangeError(`Backoff for ${owner}: baseMs must be a finite number >= 0, got ${resolved.baseMs}`);
  }
  if (!Number.isFinite(resolved.capMs) || resolved.capMs < resolved.baseMs) {
    throw new RangeError(`Backoff for ${owner}: capMs must be a finite number >= baseMs (${resolved.baseMs}), got ${resolved.capMs}`);
  }
  return resolved;
}
