import { statusNames, type PostmortemStatus } from './postmortems.api.js';

const tones: Record<PostmortemStatus, string> = { draft: 'triggered', in_review: 'acknowledged', published: 'resolved' };

/** Draft, In review or Published, always as a word beside the colour. */
export function PostmortemStatusBadge({ status }: { status: PostmortemStatus }) {
  return (
    <span className={`status status-${tones[status]} pm-status`} data-status={status}>
      {statusNames[status]}
    </span>
  );
}
