import { useMutation } from '@tanstack/react-query';
import type { z } from 'zod';
import type { testPageResultSchema } from '../../../contracts/paging.js';
import { api } from '../../api/client.js';
import { FormAlert } from '../../ui/field.js';
import { Section } from '../../ui/page.js';

type TestPageResult = z.infer<typeof testPageResultSchema>;

/**
 * "Send me a test page": a page marked as a test to each of your high-urgency contact methods, through
 * the real delivery pipeline (docs/paging.md, "Test pages"). It opens a test alert on the internal
 * self-test service; acknowledging it from the page checks the acknowledge path too.
 */
export function TestPageSection() {
  const send = useMutation({ mutationFn: () => api.post<TestPageResult>('/me/test-page', {}) });
  return (
    <Section title="Test page" description="Check that a real page reaches you: each of your high-urgency contact methods gets one now, marked [TEST].">
      <button type="button" className="button" disabled={send.isPending} onClick={() => send.mutate()}>
        Send me a test page
      </button>
      <FormAlert error={send.error} />
      {send.data && (
        <p role="status">
          Sent on test alert <a href={`/alerts/${send.data.alertNumber}`}>#{send.data.alertNumber}</a> to {send.data.pages.map((p) => `${p.channel} (${p.address})`).join(', ')}. Acknowledge it from the page to check the acknowledge link; it resolves itself after 30 minutes otherwise.
        </p>
      )}
    </Section>
  );
}
