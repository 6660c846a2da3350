/**
 * Building overrides for the common cases, so every caller records them the same way (rule 9 in
 * `schedule.ts`).
 */
import type { Override, UserId } from './schedule.js';
import type { Instant } from './time.js';

/** One person's shift in a swap. */
export interface SwappedShift {
  /** The person whose shift this is. */
  userId: UserId;
  start: Instant;
  end: Instant;
}

/**
 * A shift swap between two people as a pair of overrides naming each other: the second person covers
 * the first one's shift and the first covers the second's. Both overrides carry both names (`userId`
 * covering, `replaces` covered), so the history reads "ben covering ana" and "ana covering ben".
 *
 * @example
 * swapShifts({ ids: ['ovr-1', 'ovr-2'], first: { userId: 'ana', start, end }, second: { userId: 'ben', start: s2, end: e2 } })
 */
export function swapShifts(input: { ids: readonly [string, string]; first: SwappedShift; second: SwappedShift; note?: string }): [Override, Override] {
  const { ids, first, second } = input;
  const note = input.note ?? `Shift swap between ${first.userId} and ${second.userId}`;
  return [
    { id: ids[0], userId: second.userId, start: first.start, end: first.end, replaces: first.userId, swapWith: ids[1], note },
    { id: ids[1], userId: first.userId, start: second.start, end: second.end, replaces: second.userId, swapWith: ids[0], note },
  ];
}
