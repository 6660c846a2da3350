import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reviewBlameless } from './blameless.js';

const names = ['Ana Lima', 'Bob Stone', 'Will Parker', 'José Núñez', 'Mark Jones'];
const review = (text: string, section = 'root-cause') => reviewBlameless([{ section, text }], { names });
const flagged = (text: string, section?: string) => review(text, section).map((f) => [f.rule, f.text]);

/** Sentences that must be flagged: the rule and the exact words flagged (others may be flagged too). */
const MUST_FLAG: ReadonlyArray<[sentence: string, rule: string, words: string]> = [
  ['Ana broke checkout with the 14:02 deploy.', 'blame-phrase', 'Ana broke'],
  ['Ana broke checkout with the 14:02 deploy.', 'person-name', 'Ana'],
  ['ana lima pushed the config.', 'person-name', 'ana lima'],
  ['Bob Stone caused the outage.', 'blame-phrase', 'Bob Stone caused'],
  ['The outage was caused when Stone just ignored the alert.', 'blame-phrase', 'Stone just ignored'],
  ['Then Will restarted the wrong cluster.', 'person-name', 'Will'],
  ['Will broke the build.', 'blame-phrase', 'Will broke'],
  ['Mark Jones restarted the wrong cluster.', 'person-name', 'Mark Jones'],
  ['José forgot to renew the certificate.', 'person-name', 'José'],
  ['José forgot to renew the certificate.', 'blame-phrase', 'forgot to'],
  ['The root cause was human error.', 'human-error', 'human error'],
  ['Operator error during the failover.', 'human-error', 'Operator error'],
  ['Someone fat-fingered the IP range.', 'human-error', 'fat-fingered'],
  ['We should have caught this in staging.', 'counterfactual', 'should have'],
  ["The team shouldn't have deployed on Friday.", 'counterfactual', "shouldn't have"],
  ['The reviewer should’ve noticed the typo.', 'counterfactual', 'should’ve'],
  ['She could have checked the dashboard.', 'counterfactual', 'She could have'],
  ['The on-call engineer would have seen it if he had looked.', 'counterfactual', 'The on-call engineer would have'],
  ["It was Ana's fault.", 'fault', "Ana's fault"],
  ["It was Ana’s mistake.", 'fault', 'Ana’s mistake'],
  ["Honestly it was Carl's fault.", 'fault', "Carl's fault"],
  ['This was the fault of the database team.', 'fault', 'fault of'],
  ['The vendor is to blame.', 'fault', 'to blame'],
  ['Nobody is at fault, but his fault was obvious.', 'fault', 'his fault'],
  ['The engineer failed to run the migration.', 'blame-phrase', 'The engineer failed to'],
  ['He failed to follow the runbook.', 'blame-phrase', 'He failed to'],
  ['A new hire accidentally deleted the bucket.', 'blame-phrase', 'A new hire accidentally'],
  ['The deploy was careless.', 'blame-phrase', 'careless'],
  ['Negligence by the platform team.', 'blame-phrase', 'Negligence'],
  ['The rollout was sloppy.', 'blame-phrase', 'sloppy'],
  ['Ops dropped the ball on the renewal.', 'blame-phrase', 'dropped the ball'],
  ['The intern neglected to check the logs.', 'blame-phrase', 'neglected to'],
  ['If only we had a canary.', 'counterfactual', 'If only'],
  ['The developer messed up the schema.', 'blame-phrase', 'The developer messed up'],
];

/** Sentences that must not be flagged at all. */
const MUST_NOT_FLAG: readonly string[] = [
  'The deploy broke checkout.',
  'The 14:02 config change broke the payment service.',
  'The health check failed to detect the stuck workers.',
  'The pod failed to start because the secret was missing.',
  'An alert on queue depth would have caught this 20 minutes earlier.',
  'A canary could have limited the impact to 1% of traffic.',
  'We broke checkout with the 14:02 deploy.',
  'We will roll back automatically when error rates rise.',
  'The change may cause duplicate emails; mark them as read.',
  'Fault tolerance of the queue was lower than we thought.',
  'A fault in the disk controller corrupted the index.',
  'The retry storm caused the database to fall over.',
  'Anastasia reviewed nothing here.',
  'Mark the incident as resolved once the queue drains.',
  'It is nobody’s fault that the vendor changed the API.',
  'Timeouts were too long and retries had no jitter.',
  'The certificate expired at 02:00 UTC.',
  'Bobby tables are a classic SQL injection example.',
  '',
];

describe('blameless review: must flag', () => {
  it.each(MUST_FLAG)('flags %j as %s on %j', (sentence, rule, words) => {
    const findings = review(sentence);
    const match = findings.find((f) => f.rule === rule && f.text === words);
    expect(match, JSON.stringify(findings.map((f) => [f.rule, f.text]))).toBeDefined();
    expect(sentence.slice(match!.start, match!.end)).toBe(words);
    expect(match!.section).toBe('root-cause');
    expect(match!.message.length).toBeGreaterThan(10);
    expect(match!.suggestion.length).toBeGreaterThan(10);
  });
});

describe('blameless review: must not flag', () => {
  it.each(MUST_NOT_FLAG)('leaves %j alone', (sentence) => {
    expect(flagged(sentence)).toEqual([]);
  });
});

describe('blameless review: names', () => {
  it('flags the full name once, not the full name and the first name again', () => {
    expect(flagged('Ana Lima restarted the primary.')).toEqual([['person-name', 'Ana Lima']]);
  });

  it('takes a common-word first name for a name only when capitalised', () => {
    expect(flagged('we will retry')).toEqual([]);
    expect(flagged('Ask Will about retries.')).toEqual([['person-name', 'Will']]);
  });

  it('does not flag names in the timeline and appendix, where who did what is the record', () => {
    expect(flagged('- **14:02** Ana paged the database team', 'timeline')).toEqual([]);
    expect(flagged('Chat log: Ana: restarting now', 'appendix')).toEqual([]);
    expect(flagged('Ana broke the deploy', 'timeline')).toEqual([['blame-phrase', 'Ana broke']]);
  });

  it('flags names in action items and titles', () => {
    const findings = reviewBlameless(
      [
        { section: 'title', text: 'Bob deleted prod' },
        { section: 'action-item:AI-3', text: 'Bob to add a confirmation prompt' },
      ],
      { names },
    );
    expect(findings.map((f) => [f.section, f.rule, f.text])).toEqual([
      ['title', 'person-name', 'Bob'],
      ['action-item:AI-3', 'person-name', 'Bob'],
    ]);
  });

  it('without a names list flags no names, and still flags pronoun and role subjects', () => {
    expect(reviewBlameless([{ section: 'root-cause', text: 'Ana restarted it. He broke the build.' }]).map((f) => [f.rule, f.text])).toEqual([['blame-phrase', 'He broke']]);
  });

  it('gives offsets in UTF-16 code units, after emoji and accents', () => {
    const text = '🔥 Überraschung: José broke it';
    const [name] = reviewBlameless([{ section: 'summary', text }], { names });
    expect(name).toMatchObject({ rule: 'person-name', text: 'José' });
    expect(text.slice(name!.start, name!.end)).toBe('José');
  });

  it('flags one-word names, and finds names among hundreds of people quickly', () => {
    const many = [...Array.from({ length: 300 }, (_, i) => `Person${i} Surname${i}`), 'kim'];
    const text = 'Kim restarted the node while Person299 Surname299 watched. '.repeat(500);
    const started = performance.now();
    const findings = reviewBlameless([{ section: 'summary', text }], { names: many });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(findings.slice(0, 2).map((f) => [f.rule, f.text])).toEqual([
      ['person-name', 'Kim'],
      ['person-name', 'Person299 Surname299'],
    ]);
    expect(findings).toHaveLength(1_000);
  });

  it('does not take a name across a sentence boundary', () => {
    expect(flagged('We called Ana. Lima is a city.').filter(([, t]) => t === 'Ana Lima')).toEqual([]);
  });
});

describe('blameless review: properties', () => {
  it('never throws, and every finding points at its own text', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ section: fc.constantFrom('summary', 'root-cause', 'timeline'), text: fc.string({ maxLength: 200 }) }), { maxLength: 4 }), (texts) => {
        const findings = reviewBlameless(texts, { names });
        for (const f of findings) {
          const source = texts.filter((t) => t.section === f.section).map((t) => t.text);
          expect(source.some((s) => s.slice(f.start, f.end) === f.text)).toBe(true);
          expect(f.start).toBeLessThan(f.end);
        }
      }),
    );
  });

  it('finds a blaming phrase wherever it sits among neutral words', () => {
    const neutral = fc.constantFrom('the', 'queue', 'latency', 'rose.', 'at', '14:02', 'checkout', 'was', 'slow,');
    fc.assert(
      fc.property(fc.array(neutral, { maxLength: 8 }), fc.array(neutral, { maxLength: 8 }), fc.constantFrom('human error', 'should have', 'careless'), (before, after, phrase) => {
        const text = [...before, phrase, ...after].join(' ');
        const findings = reviewBlameless([{ section: 'root-cause', text }]);
        expect(findings.some((f) => f.text.toLowerCase() === phrase)).toBe(true);
      }),
    );
  });

  it('reviews 200 KB of text quickly', () => {
    const text = 'The deploy at 14:02 broke checkout because the retry budget was too small, and Ana restarted it. '.repeat(2_000);
    const started = performance.now();
    const findings = reviewBlameless([{ section: 'root-cause', text }], { names });
    expect(findings).toHaveLength(2_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
