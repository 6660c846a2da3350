/**
 * A token bucket per key (intake: per integration). Pure: the caller passes `now` and keeps the
 * state. `capacity` events may arrive at once; the bucket refills at `capacity` per `windowMs`.
 */
export interface Bucket {
  tokens: number;
  at: number;
}

export interface RateDecision {
  allowed: boolean;
  bucket: Bucket;
  /** Whole seconds until one event would be allowed again (0 when allowed). */
  retryAfterSeconds: number;
}

export function takeToken(bucket: Bucket | undefined, now: number, capacity: number, windowMs: number): RateDecision {
  const rate = capacity / windowMs;
  const previous = bucket ?? { tokens: capacity, at: now };
  const elapsed = Math.max(0, now - previous.at);
  const tokens = Math.min(capacity, previous.tokens + elapsed * rate);
  // Refills add up in floating point: a sender that waited exactly its Retry-After may hold
  // 0.9999999 tokens. Within a billionth of a token counts as a whole one.
  if (tokens >= 1 - 1e-9) return { allowed: true, bucket: { tokens: Math.max(0, tokens - 1), at: now }, retryAfterSeconds: 0 };
  return { allowed: false, bucket: { tokens, at: now }, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / rate / 1000)) };
}
