/**
 * Time as Firebreak's code sees it. Domain logic never reads the wall clock; it is handed a `Clock`
 * (or just `now`) so tests control time exactly.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, UTC. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. For tests and simulations. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number | string = '2026-01-05T09:00:00Z') {
    this.current = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.current;
  }

  set(instant: number | string): void {
    this.current = typeof instant === 'number' ? instant : Date.parse(instant);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
