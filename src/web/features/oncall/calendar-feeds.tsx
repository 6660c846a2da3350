import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { calendarFeedsQuery, oncallApi, type CalendarFeed, type CreatedCalendarFeed } from './oncall.api.js';
import { formatDateTime } from './zoned-time.js';

interface CalendarFeedsProps {
  /** `user`: my own shifts across schedules; `schedule`: everyone's shifts on one schedule. */
  kind: 'user' | 'schedule';
  schedule?: { id: string; handle: string; name: string };
}

/**
 * iCalendar feed links: create one (its secret address is shown once, like an API token), see the
 * live ones, revoke. A calendar app subscribed to the address shows the shifts and follows changes.
 */
export function CalendarFeeds({ kind, schedule }: CalendarFeedsProps) {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const feeds = useQuery(calendarFeedsQuery());
  const [created, setCreated] = useState<CreatedCalendarFeed | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: calendarFeedsQuery().queryKey });
  const create = useMutation({
    mutationFn: () => oncallApi.createFeed(kind === 'schedule' && schedule ? { kind, schedule: schedule.id } : { kind: 'user' }),
    onSuccess: (result) => {
      setCreated(result);
      return refresh();
    },
  });
  const revoke = useMutation({ mutationFn: oncallApi.revokeFeed, onSuccess: refresh });
  const mine = (feeds.data ?? []).filter((feed: CalendarFeed) => feed.kind === kind && !feed.revokedAt && (kind === 'user' ? feed.subjectId === user.id : feed.subjectId === schedule?.id));
  const what = kind === 'user' ? 'your shifts on every schedule' : `every shift on ${schedule?.name ?? 'this schedule'}`;

  return (
    <Section
      title="Calendar feeds"
      description={`Subscribe from Google Calendar, Outlook or Apple Calendar to see ${what}. Anyone with the address can read the feed: revoke it if it leaks.`}
      actions={
        !created && (
          <button type="button" className="button" onClick={() => create.mutate()} disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create feed link'}
          </button>
        )
      }
    >
      <FormAlert error={create.error ?? revoke.error} />
      {created && <FeedSecret created={created} onDone={() => setCreated(null)} />}
      {feeds.isPending ? (
        <Loading />
      ) : feeds.isError ? (
        <QueryError error={feeds.error} retry={() => void feeds.refetch()} />
      ) : mine.length === 0 ? (
        <p className="muted">No feed links yet.</p>
      ) : (
        <ul className="feed-list">
          {mine.map((feed) => (
            <li key={feed.id} className="feed-item">
              <span>
                Feed created {formatDateTime(feed.createdAt, user.timeZone)} {user.timeZone}
              </span>
              <ConfirmButton label="Revoke" question="Revoke this feed? Calendars subscribed to it stop updating." pending={revoke.isPending && revoke.variables === feed.id} onConfirm={() => revoke.mutate(feed.id)} />
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function FeedSecret({ created, onDone }: { created: CreatedCalendarFeed; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  // The server may answer a path; a calendar app needs the full address.
  const url = new URL(created.url, window.location.origin).toString();

  async function copy() {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(url);
      setCopied('yes');
    } catch {
      // The clipboard API needs permission or a secure context; the text stays selected to copy by hand.
      setCopied('failed');
    }
  }

  return (
    <div className="secret-box" role="region" aria-label="New calendar feed">
      <h3>Calendar feed created</h3>
      <p>
        <strong>Copy the address now. You will not see it again.</strong> Paste it into your calendar app as a subscription (“From URL”).
      </p>
      <div className="secret-row">
        <label htmlFor="feed-url" className="visually-hidden">
          Feed address
        </label>
        <input id="feed-url" ref={input} className="secret-value" readOnly value={url} onFocus={(event) => event.currentTarget.select()} spellCheck={false} />
        <button type="button" className="button button-primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="muted" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Could not reach the clipboard: the address is selected, copy it with your keyboard.' : ''}
      </p>
      <button type="button" className="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
