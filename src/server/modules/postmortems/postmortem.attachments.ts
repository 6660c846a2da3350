import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../contracts/errors.js';
import { attachmentContentTypes, MAX_ATTACHMENT_BYTES, type Attachment } from '../../../contracts/postmortems.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { postmortemReference, requirePostmortem } from './postmortem.lookup.js';

/**
 * Images attached to postmortems (graphs, screenshots, snapshots of dashboards whose data will expire),
 * stored by Firebreak in `postmortem_attachments` as base64 (ADR 0038) and referenced from the markdown
 * as `![graph](/api/v1/postmortems/PM-12/attachments/<id>)`.
 *
 * - Upload: `POST …/attachments?name=graph.png` with the bytes as the body and the image's
 *   Content-Type. Over 5 MB: 413 `PAYLOAD_TOO_LARGE` (fastify stops reading at the limit). Only PNG,
 *   JPEG, GIF and WebP, and the bytes must start as that type does: anything else is 415 (SVG can
 *   carry script; a "PNG" that is HTML would be a stored XSS waiting for a sniffing browser).
 * - Serving: the stored type, `X-Content-Type-Options: nosniff` (every response), a CSP that allows
 *   nothing and a sandbox, inline disposition with an encoded file name.
 */

type ImageType = (typeof attachmentContentTypes)[number];

/** The magic numbers each accepted type starts with. */
const SIGNATURES: Record<ImageType, (b: Buffer) => boolean> = {
  'image/png': (b) => b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => b.length >= 6 && (b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a'),
  'image/webp': (b) => b.length >= 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

/** Served attachments run nothing and embed nothing, even if a browser were to render them as a document. */
export const ATTACHMENT_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

/**
 * Lets image bodies reach the upload route: a parser for `image/*` that keeps the bytes, with its own
 * limit (the API's JSON body limit is smaller). Register once on the root app, before it is ready.
 */
export function registerAttachmentBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES }, (_request, body, done) => done(null, body));
}

const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

export const attachmentUrl = (postmortemNumber: number, id: string): string => `/api/v1/postmortems/${postmortemReference(postmortemNumber)}/attachments/${id}`;

export class PostmortemAttachments {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog }) {}

  private view(row: { id: string; name: string; content_type: string; size: number; created_at: number; created_by: string }, number: number): Attachment {
    return { id: row.id, name: row.name, contentType: row.content_type, size: Number(row.size), url: attachmentUrl(number, row.id), createdAt: new Date(Number(row.created_at)).toISOString(), createdBy: row.created_by };
  }

  /** `POST /api/v1/postmortems/{postmortem}/attachments?name=…`: stores an image. */
  async upload(acting: Acting, ref: string, name: string, contentTypeHeader: string | undefined, body: unknown): Promise<Attachment> {
    const type = mediaType(contentTypeHeader);
    const accepted = attachmentContentTypes.join(', ');
    if (!(attachmentContentTypes as readonly string[]).includes(type)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Attachments are images (${accepted}) sent as the raw body with their Content-Type; got ${type === '' ? 'no Content-Type' : `\`${type}\``}${type === 'image/svg+xml' ? ' (SVG can carry script)' : ''}`);
    }
    if (!Buffer.isBuffer(body) || body.length === 0) throw new AppError('VALIDATION_FAILED', 'body: the image bytes are required', { issues: [{ path: 'body', message: 'the image bytes are required' }] });
    if (body.length > MAX_ATTACHMENT_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `Attachments are at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB; this one is ${(body.length / 1024 / 1024).toFixed(1)} MB`);
    if (!SIGNATURES[type as ImageType](body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `The body is not a ${type} image (its first bytes do not match); send the file as it is`);
    return this.deps.database.transaction(async (tx) => {
      const pm = await requirePostmortem(tx.db, ref);
      const row = {
        id: this.deps.ids(),
        postmortem_id: pm.id,
        name,
        content_type: type,
        size: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        data_base64: body.toString('base64'),
        created_at: this.deps.clock.now(),
        created_by: acting.actor.label,
      };
      await tx.db.insertInto('postmortem_attachments').values(row).execute();
      const view = this.view(row, Number(pm.number));
      await this.deps.audit.record(tx.db, acting.actor, { action: 'postmortem.attachment.create', targetType: 'postmortem', targetId: pm.id, after: { ...view, sha256: row.sha256 } });
      return view;
    });
  }

  /** `GET …/attachments`: oldest first. */
  async list(ref: string): Promise<Attachment[]> {
    const db = this.deps.database.db;
    const pm = await requirePostmortem(db, ref);
    const rows = await db.selectFrom('postmortem_attachments').select(['id', 'name', 'content_type', 'size', 'created_at', 'created_by']).where('postmortem_id', '=', pm.id).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => this.view(r, Number(pm.number)));
  }

  /** The bytes of one attachment, for `GET …/attachments/{attachment}`. */
  async read(ref: string, id: string): Promise<{ name: string; contentType: string; sha256: string; bytes: Buffer }> {
    const db = this.deps.database.db;
    const pm = await requirePostmortem(db, ref);
    const row = await db.selectFrom('postmortem_attachments').selectAll().where('postmortem_id', '=', pm.id).where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `${postmortemReference(Number(pm.number))} has no attachment \`${id}\``);
    return { name: row.name, contentType: row.content_type, sha256: row.sha256, bytes: Buffer.from(row.data_base64, 'base64') };
  }

  /** `DELETE …/attachments/{attachment}`: markdown that still shows it then shows a broken image. */
  async remove(acting: Acting, ref: string, id: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const pm = await requirePostmortem(tx.db, ref);
      const row = await tx.db.selectFrom('postmortem_attachments').select(['id', 'name', 'content_type', 'size', 'created_at', 'created_by']).where('postmortem_id', '=', pm.id).where('id', '=', id).executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', `${postmortemReference(Number(pm.number))} has no attachment \`${id}\``);
      await tx.db.deleteFrom('postmortem_attachments').where('id', '=', row.id).execute();
      await this.deps.audit.record(tx.db, acting.actor, { action: 'postmortem.attachment.delete', targetType: 'postmortem', targetId: pm.id, before: this.view(row, Number(pm.number)) });
    });
  }
}

/** `inline; filename="graph.png"; filename*=UTF-8''graph.png`: ASCII fallback plus the exact name. */
export function inlineDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
