import { contactMethodTypeNames, type ContactMethodType } from '../../../contracts/notify.js';
import { MAX_SUBJECT_LENGTH } from './channels/channel.js';

/**
 * The words of the messages this module sends, as pure functions of their inputs. Subjects stay within
 * 50 characters and say what the message is: on SMS and push they are all a person sees at first.
 */

export interface MessageText {
  subject: string;
  text: string;
}

export interface VerificationMessageInput {
  code: string;
  personName: string;
  type: ContactMethodType;
  /** The address as the person sees it in Firebreak. */
  addressShown: string;
  expiresInMinutes: number;
  /** Where codes are entered: `<public URL>/settings/contact-methods`. */
  settingsUrl: string;
}

export function verificationMessage(input: VerificationMessageInput): MessageText {
  return {
    subject: `Firebreak verification code: ${input.code}`,
    text: [
      `Your Firebreak verification code is ${input.code}.`,
      '',
      `Enter it in Firebreak to confirm that notifications for ${input.personName} may be sent to ${input.addressShown} (${contactMethodTypeNames[input.type]}). The code expires in ${input.expiresInMinutes} minutes.`,
      '',
      `Enter the code at ${input.settingsUrl}`,
      '',
      'If you did not ask for this, ignore this message: nothing more is sent here unless the code is entered.',
    ].join('\n'),
  };
}

export interface TestMessageInput {
  personName: string;
  type: ContactMethodType;
  addressShown: string;
  /** ISO 8601 instant the test was asked for. */
  requestedAt: string;
  requestedBy: string;
  settingsUrl: string;
}

export function testMessage(input: TestMessageInput): MessageText {
  const at = `${input.requestedAt.slice(0, 16).replace('T', ' ')} UTC`;
  return {
    subject: 'Firebreak test notification',
    text: [
      `This is a test notification for ${input.personName}, asked for by ${input.requestedBy} at ${at}.`,
      '',
      `Pages will reach you here: ${input.addressShown} (${contactMethodTypeNames[input.type]}). Nothing needs doing.`,
      '',
      `Your contact methods and notification rules: ${input.settingsUrl}`,
    ].join('\n'),
  };
}

export interface HandoffMessageInput {
  /** `start`: the person's shift is about to begin (or just began); `end`: it is about to end. */
  kind: 'start' | 'end';
  personName: string;
  scheduleName: string;
  /** The instant of the handoff this message is about (epoch ms): the shift's start or end. */
  boundary: number;
  /** The shift's start and end (epoch ms); null where it lies beyond what was drawn (more than five weeks away). */
  shiftStart: number | null;
  shiftEnd: number | null;
  /**
   * When the message is written (epoch ms). The subject counts down from here rather than repeating the
   * configured lead: a scan runs every few minutes and a delivery may be retried, so "in 15 min" could
   * be untrue by the time it arrives.
   */
  now: number;
  /** The person's IANA zone: every time in the text is theirs. */
  timeZone: string;
  /**
   * Who is on call on the other side of the handoff: before the start, or after the end. `null` means
   * nobody (a gap); `undefined` leaves the line out.
   */
  otherPerson?: string | null;
  /** `<public URL>/oncall/schedules/<handle>`. */
  scheduleUrl: string;
  /** Where the person turns these messages off. */
  settingsUrl: string;
}

/**
 * "On call in 15 min: Platform primary" / "On-call shift ends in 15 min: Platform primary", with the
 * shift in the person's own time zone. When the handoff has already passed (a late delivery after an
 * outage) the words say so instead of counting down to a time gone by.
 */
export function handoffMessage(input: HandoffMessageInput): MessageText {
  const minutes = Math.round((input.boundary - input.now) / 60_000);
  const ahead = minutes > 0;
  const when = formatLocal(input.boundary, input.timeZone);
  const prefix =
    input.kind === 'start' ? (ahead ? `On call in ${shortDuration(minutes)}: ` : 'On call now: ') : ahead ? `On-call shift ends in ${shortDuration(minutes)}: ` : 'On-call shift ended: ';
  const lead =
    input.kind === 'start'
      ? ahead
        ? `your on-call shift in ${input.scheduleName} starts in ${longDuration(minutes)}, at ${when}.`
        : `your on-call shift in ${input.scheduleName} started at ${when}: you are on call now.`
      : ahead
        ? `your on-call shift in ${input.scheduleName} ends in ${longDuration(minutes)}, at ${when}.`
        : `your on-call shift in ${input.scheduleName} ended at ${when}.`;
  const from = input.shiftStart === null ? 'more than five weeks before' : formatLocal(input.shiftStart, input.timeZone);
  const until = input.shiftEnd === null ? 'more than five weeks later' : formatLocal(input.shiftEnd, input.timeZone);
  const lines = [`${input.personName}, ${lead}`, '', `Shift: ${from} – ${until} (${input.timeZone})`];
  if (input.otherPerson !== undefined) {
    if (input.kind === 'start') lines.push(input.otherPerson === null ? 'Before you: nobody is on call in this schedule.' : `Taking over from: ${input.otherPerson}`);
    else lines.push(input.otherPerson === null ? 'After you: nobody is on call in this schedule, so a page would reach no one.' : `Next on call: ${input.otherPerson}`);
  }
  lines.push(`Schedule: ${input.scheduleUrl}`, '', `You get these messages because handoff notifications are on. Turn them off or change how long ahead at ${input.settingsUrl}`);
  return { subject: fitSubject(prefix, input.scheduleName), text: lines.join('\n') };
}

/** Keeps a subject within MAX_SUBJECT_LENGTH by shortening the name, never the words before it. */
function fitSubject(prefix: string, name: string): string {
  const room = MAX_SUBJECT_LENGTH - prefix.length;
  return prefix + (name.length <= room ? name : `${name.slice(0, Math.max(0, room - 1)).trimEnd()}…`);
}

const shortDuration = (minutes: number) => {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
};

const longDuration = (minutes: number) => {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  return h === 0 ? part(m, 'minute') : m === 0 ? part(h, 'hour') : `${part(h, 'hour')} ${part(m, 'minute')}`;
};

/** `Mon 6 Jul 2026, 09:00` on the wall clock of `timeZone` (24-hour, so no AM/PM ambiguity across locales). */
function formatLocal(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}`;
}
