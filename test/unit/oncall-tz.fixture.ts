/**
 * Prints, as JSON, what the schedule engine says about a fixed set of schedules: final schedules,
 * who is on call at many instants, shadows and lints. test/unit/oncall-tz.test.ts runs this under
 * several process time zones (TZ) and expects the very same bytes.
 *
 * Run: TZ=Pacific/Chatham node --import tsx test/unit/oncall-tz.fixture.ts
 */
import { DAY_MS, HOUR_MS, finalSchedule, instantFromIso, lintSchedules, shadowsAt, whoIsOnCall, type Instant } from '../../src/core/oncall/index.js';
import { manySchedules, referenceSchedule } from './oncall-speed.js';

const from = instantFromIso('2026-03-01T00:00Z');
const output: unknown[] = [];

const reference = referenceSchedule(from);
output.push(finalSchedule(reference, { start: from, end: (from + 60 * DAY_MS) as Instant }));

// Around the spring and autumn clock changes of all six zones the speed schedules use.
for (const around of ['2026-03-08T06:30Z', '2026-04-05T13:00Z', '2026-10-04T15:30Z', '2026-10-25T01:15Z']) {
  const now = instantFromIso(around);
  const schedules = manySchedules(150, now);
  for (const s of schedules) {
    const start = (now - 2 * DAY_MS) as Instant;
    output.push(finalSchedule(s, { start, end: (now + 5 * DAY_MS) as Instant }).entries);
    for (let h = -48; h <= 48; h += 7) {
      const t = (now + h * HOUR_MS) as Instant;
      output.push([whoIsOnCall(s, t), shadowsAt(s, t)]);
    }
  }
  output.push(lintSchedules({ primary: schedules[0]!, secondary: schedules[1]! }, { start: now, end: (now + 30 * DAY_MS) as Instant }, { hasVerifiedHighUrgencyMethod: (id) => id !== 'ben' }));
}

process.stdout.write(JSON.stringify(output));
