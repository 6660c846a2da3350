/**
 * Prints heartbeat deadlines for a grid of schedules and pings, for heartbeat-tz.test.ts to compare
 * across process time zones. Run as a child process (`node --import tsx`), never by vitest itself.
 */
import { applyPing, deadlineAt, initialHeartbeatState, type HeartbeatSettings } from '../../src/core/alerts/heartbeat.js';

const base: HeartbeatSettings = { periodSeconds: null, cron: null, timeZone: 'UTC', graceSeconds: 900, maxRunSeconds: null, severity: 'error' };
const schedules: HeartbeatSettings[] = [
  { ...base, periodSeconds: 3600 },
  ...['30 2 * * *', '0 3 * * 1-5', '*/20 * * * *', '30 1 * * 0'].flatMap((cron) => ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'].map((timeZone) => ({ ...base, cron, timeZone }))),
];
const lines: string[] = [];
// Every 1223 minutes (20 h 23 min, so the time of day drifts) through 2026: many pings land on DST changes in all four zones.
for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 1223 * 60_000) {
  for (const s of schedules) lines.push(String(deadlineAt(s, applyPing(s, initialHeartbeatState, { kind: 'success' }, t, 'x').state)));
}
process.stdout.write(lines.join('\n'));
