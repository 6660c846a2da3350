import { keepPreviousData, useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { SessionInfo } from '../../../contracts/auth.js';
import type { ErrorBody } from '../../../contracts/errors.js';
import type {
  ActionItem,
  Attachment,
  createActionItemSchema,
  createPostmortemSchema,
  createPostmortemTemplateSchema,
  Postmortem,
  postmortemConflictSchema,
  postmortemRevisionSchema,
  PostmortemStatus,
  PostmortemSummary,
  PostmortemTemplate,
  Publication,
  publicVersionSchema,
  publishPublicVersionSchema,
  ReviewAgenda,
  reviewDecisionSchema,
  updateActionItemSchema,
  updatePostmortemSchema,
  updatePostmortemTemplateSchema,
} from '../../../contracts/postmortems.js';
import { api, apiPath, ApiError } from '../../api/client.js';
import { roleAtLeast } from '../../app/permissions.js';

export type { ActionItem, Attachment, Postmortem, PostmortemStatus, PostmortemSummary, PostmortemTemplate, Publication, ReviewAgenda };
export type CreatePostmortemInput = z.input<typeof createPostmortemSchema>;
export type UpdatePostmortemInput = z.input<typeof updatePostmortemSchema>;
export type PostmortemConflict = z.infer<typeof postmortemConflictSchema>;
export type PostmortemRevision = z.infer<typeof postmortemRevisionSchema>;
export type CreateActionItemInput = z.input<typeof createActionItemSchema>;
export type UpdateActionItemInput = z.input<typeof updateActionItemSchema>;
export type PublicVersion = z.infer<typeof publicVersionSchema>;
export type PublishPublicVersionInput = z.input<typeof publishPublicVersionSchema>;
export type ReviewDecisionInput = z.input<typeof reviewDecisionSchema>;
export type TransitionAction = 'submit' | 'withdraw' | 'publish' | 'reopen';

export const statusNames: Record<PostmortemStatus, string> = { draft: 'Draft', in_review: 'In review', published: 'Published' };
export const actionItemStatusNames: Record<ActionItem['status'], string> = { open: 'Open', in_progress: 'In progress', done: 'Done', wont_do: 'Won’t do' };
export const priorityNames: Record<ActionItem['priority'], string> = { high: 'High', medium: 'Medium', low: 'Low' };

export interface PostmortemFilters {
  q?: string | undefined;
  status?: string | undefined;
  tag?: string | undefined;
  service?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  owner?: string | undefined;
  incident?: string | undefined;
  cursor?: string | undefined;
}

export interface ActionItemFilters {
  status?: string | undefined;
  owner?: string | undefined;
  team?: string | undefined;
  overdue?: 'true' | 'false' | undefined;
  sort?: 'age' | 'due' | 'priority' | undefined;
}

const ref = (v: string) => encodeURIComponent(v);

/**
 * A 409 from saving a postmortem: someone else's change landed after the version this page started
 * from. The shared client keeps only validation issues of an error's `details`; the conflict view
 * needs the whole answer (the postmortem now and which fields changed), so it is kept here.
 */
export class PostmortemConflictError extends ApiError {
  readonly conflict: PostmortemConflict | null;
  /** The reference of the postmortem an incident already has (409 from starting a second one). */
  readonly existing: string | null;
  constructor(body: Partial<ErrorBody>) {
    super(409, body);
    const details = body.details as (Partial<PostmortemConflict> & { postmortem?: { reference?: unknown } }) | undefined;
    this.conflict = details?.current && details.theirs ? (details as PostmortemConflict) : null;
    this.existing = typeof details?.postmortem?.reference === 'string' ? details.postmortem.reference : null;
  }
}

/** PATCH with the session's CSRF token, keeping a conflict's details (see {@link PostmortemConflictError}). */
async function sendKeepingDetails<T>(method: 'PATCH' | 'POST' | 'PUT', path: string, body: unknown, csrfToken: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(apiPath(path), {
      method,
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { message: 'Cannot reach the Firebreak server. Check your connection and try again.' });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (response.status === 409) throw new PostmortemConflictError((json ?? {}) as Partial<ErrorBody>);
  if (!response.ok) throw new ApiError(response.status, (json ?? {}) as Partial<ErrorBody>);
  return json as T;
}

/**
 * Uploads an image as the raw request body (`POST …/attachments?name=graph.png`); the answer's `url`
 * goes into the markdown as `![name](url)`. Oversized (413) and non-image (415) files fail with the
 * server's message.
 */
export async function uploadAttachment(postmortem: string, file: File, csrfToken: string): Promise<Attachment> {
  const name = [...file.name].map((c) => (c === '/' || c === '\\' || c.charCodeAt(0) < 0x20 ? '_' : c)).join('').slice(0, 200) || 'image';
  let response: Response;
  try {
    response = await fetch(apiPath(`/postmortems/${ref(postmortem)}/attachments`, { name }), {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': file.type || 'application/octet-stream', 'x-csrf-token': csrfToken },
      credentials: 'same-origin',
      body: file,
    });
  } catch {
    throw new ApiError(0, { message: 'Cannot reach the Firebreak server. Check your connection and try again.' });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) throw new ApiError(response.status, (json ?? {}) as Partial<ErrorBody>);
  return json as Attachment;
}

export const postmortemsQuery = (filters: PostmortemFilters) => ({
  queryKey: ['postmortems', 'list', filters] as const,
  queryFn: () => api.get<{ items: PostmortemSummary[]; nextCursor: string | null }>('/postmortems', { ...filters }),
  placeholderData: keepPreviousData,
});

export const postmortemQuery = (postmortem: string) => ({
  queryKey: ['postmortems', 'detail', postmortem] as const,
  queryFn: () => api.get<Postmortem>(`/postmortems/${ref(postmortem)}`),
});

export const revisionsQuery = (postmortem: string) => ({
  queryKey: ['postmortems', 'detail', postmortem, 'revisions'] as const,
  queryFn: async () => (await api.get<{ items: PostmortemRevision[] }>(`/postmortems/${ref(postmortem)}/revisions`)).items,
});

export const agendaQuery = (postmortem: string) => ({
  queryKey: ['postmortems', 'detail', postmortem, 'agenda'] as const,
  queryFn: () => api.get<ReviewAgenda>(`/postmortems/${ref(postmortem)}/agenda`),
});

/** Where the postmortem's public versions are published (status-page incidents), newest first. */
export const publicationsQuery = (postmortem: string) => ({
  queryKey: ['postmortems', 'detail', postmortem, 'public-versions'] as const,
  queryFn: async () => (await api.get<{ items: Publication[] }>(`/postmortems/${ref(postmortem)}/public-version`)).items,
});

export const postmortemActionItemsQuery = (postmortem: string) => ({
  queryKey: ['postmortems', 'detail', postmortem, 'action-items'] as const,
  queryFn: async () => (await api.get<{ items: ActionItem[] }>(`/postmortems/${ref(postmortem)}/action-items`)).items,
});

export const actionItemsQuery = (filters: ActionItemFilters) => ({
  queryKey: ['postmortems', 'action-items', filters] as const,
  queryFn: async () => (await api.get<{ items: ActionItem[] }>('/action-items', { ...filters })).items,
  placeholderData: keepPreviousData,
});

export const templatesQuery = () => ({
  queryKey: ['postmortems', 'templates'] as const,
  queryFn: async () => (await api.get<{ items: PostmortemTemplate[] }>('/postmortem-templates')).items,
  staleTime: 60_000,
});

export const relatedPostmortemsQuery = (incident: string) => ({
  queryKey: ['postmortems', 'related', incident] as const,
  queryFn: async () => (await api.get<{ items: PostmortemSummary[] }>(`/incidents/${ref(incident)}/related-postmortems`)).items,
});

/** The incident's own postmortem, if one was started (the list narrowed to the incident, checked again here). */
export const incidentPostmortemQuery = (incident: { id: string; reference: string }) => ({
  queryKey: ['postmortems', 'of-incident', incident.id] as const,
  queryFn: async () => {
    const list = await api.get<{ items: PostmortemSummary[] }>('/postmortems', { incident: incident.id, limit: 200 });
    return list.items.find((pm) => pm.incidentReference === incident.reference) ?? null;
  },
});

export const postmortemsApi = {
  create: (input: CreatePostmortemInput) => api.post<Postmortem>('/postmortems', input),
  /** As `create`, keeping a 409's details: which postmortem the incident already has. */
  createKeepingDetails: (input: CreatePostmortemInput, csrfToken: string) => sendKeepingDetails<Postmortem>('POST', '/postmortems', input, csrfToken),
  update: (postmortem: string, input: UpdatePostmortemInput, csrfToken: string) => sendKeepingDetails<Postmortem>('PATCH', `/postmortems/${ref(postmortem)}`, input, csrfToken),
  setReviewers: (postmortem: string, baseVersion: number, reviewers: string[]) => api.put<Postmortem>(`/postmortems/${ref(postmortem)}/reviewers`, { baseVersion, reviewers }),
  transition: (postmortem: string, baseVersion: number, action: TransitionAction, reason?: string) =>
    api.post<Postmortem>(`/postmortems/${ref(postmortem)}/transitions`, { baseVersion, action, ...(reason ? { reason } : {}) }),
  review: (postmortem: string, input: ReviewDecisionInput) => api.post<Postmortem>(`/postmortems/${ref(postmortem)}/reviews`, input),
  publishPublic: (postmortem: string, input: PublishPublicVersionInput) => api.post<PublicVersion>(`/postmortems/${ref(postmortem)}/public-version`, input),
  /** Withdraws the public version from one status-page incident (or from every one). */
  withdrawPublic: (postmortem: string, statusPageIncident?: string) =>
    api.delete(`/postmortems/${ref(postmortem)}/public-version${statusPageIncident ? `?statusPageIncident=${encodeURIComponent(statusPageIncident)}` : ''}`),
  /** Deletes a draft never published (its owner or an admin; not while it has action items). */
  remove: (postmortem: string) => api.delete(`/postmortems/${ref(postmortem)}`),
  /** Creates the item's tracker issue through the tracker webhook (202: the link follows when the tracker answers). */
  requestTrackerIssue: (item: string) => api.post<ActionItem>(`/action-items/${ref(item)}/tracker-issue`),
  addActionItem: (postmortem: string, input: CreateActionItemInput) => api.post<ActionItem>(`/postmortems/${ref(postmortem)}/action-items`, input),
  updateActionItem: (item: string, input: UpdateActionItemInput) => api.patch<ActionItem>(`/action-items/${ref(item)}`, input),
  deleteActionItem: (item: string) => api.delete(`/action-items/${ref(item)}`),
  linkActionItem: (item: string, other: string) => api.post<ActionItem>(`/action-items/${ref(item)}/links`, { item: other }),
  createTemplate: (input: z.input<typeof createPostmortemTemplateSchema>) => api.post<PostmortemTemplate>('/postmortem-templates', input),
  updateTemplate: (template: string, input: z.input<typeof updatePostmortemTemplateSchema>) => api.patch<PostmortemTemplate>(`/postmortem-templates/${ref(template)}`, input),
  deleteTemplate: (template: string) => api.delete(`/postmortem-templates/${ref(template)}`),
};

/** Links the editor offers: the Markdown file and the print-ready page the server renders. */
export const exportLinks = (postmortem: string) => ({
  markdown: apiPath(`/postmortems/${ref(postmortem)}/export.md`),
  print: apiPath(`/postmortems/${ref(postmortem)}/print`),
});

/** A change to postmortems or action items: every postmortem query is re-read once it succeeded. */
export function usePostmortemChange<Input, Output>(change: (input: Input) => Promise<Output>, onDone?: (output: Output) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (output) => {
      onDone?.(output);
      await queryClient.invalidateQueries({ queryKey: ['postmortems'] });
    },
  });
}

/** Responders and above write postmortems and action items; viewers read them; admins edit templates. */
export const canWrite = (session: SessionInfo) => roleAtLeast(session.user.role, 'responder');
export const canEditTemplates = (session: SessionInfo) => roleAtLeast(session.user.role, 'admin');
/**
 * Who may delete a postmortem (the server decides; this only hides a button that would be refused):
 * a draft, by an admin or its owner (a required one by an admin).
 */
export const canDelete = (session: SessionInfo, pm: Pick<Postmortem, 'status' | 'owner' | 'required'>) =>
  pm.status === 'draft' && (roleAtLeast(session.user.role, 'admin') || (!pm.required && canWrite(session) && pm.owner?.id === session.user.id));
