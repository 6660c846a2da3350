import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../../../contracts/errors.js';
import { hashPassword } from '../../platform/crypto.js';
import type { Tx } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { Services } from '../../services.js';
import { systemActor } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { alertsDemo } from './alerts.demo.js';
import { catalogDemo } from './catalog.demo.js';
import { oncallDemo } from './oncall.demo.js';

/** What a demo section works with: the open transaction, every service, and the `demo` actor. */
export interface DemoContext {
  db: Kysely<Database>;
  /** The same transaction, for `*In` methods that take a `Tx`. */
  tx: Tx;
  services: Services;
  acting: Acting;
}

/**
 * One domain's share of the demo organization. Sections run in list order inside one transaction, so
 * a later section can use what an earlier one made (look it up by the exported handles).
 */
export interface DemoSection {
  /** Shown in the summary, e.g. `teams and people`. */
  name: string;
  /** Descriptions of data already present that this section would collide with; any makes `demo` refuse without --force. */
  existing(ctx: DemoContext): Promise<string[]>;
  /**
   * Adds the section's data through the domain services' `*In` methods (so every change has its audit
   * entry), keeping anything already present with the same handle. Returns a one-line summary.
   */
  add(ctx: DemoContext): Promise<string>;
  /**
   * Runs once the demo's transaction has committed, for data that only the domain's own transactions
   * can write (alerts: each change commits on its own, as intake does). Its summary is appended.
   */
  afterCommit?(ctx: Omit<DemoContext, 'db' | 'tx'>): Promise<string>;
}

/**
 * Every demo section, in order. To give a new domain demo data, write `<domain>.demo.ts` exporting a
 * `DemoSection` and add it here.
 */
export const demoSections: readonly DemoSection[] = [catalogDemo, oncallDemo, alertsDemo];

export const DEMO_OWNER = Object.freeze({ handle: 'owner', name: 'Demo Owner', email: 'owner@example.com', timeZone: 'UTC' });

export interface DemoResult {
  /** Set when the demo had to create the first owner: the only time the password is shown. */
  owner: { email: string; password: string } | null;
  sections: Array<{ name: string; summary: string }>;
}

/**
 * Fills an instance with a small, realistic organization so a newcomer sees a populated product. Works
 * on an empty database (it then creates `owner@example.com` with a random password) and on one holding
 * only the first owner. Refuses when teams or demo data already exist, unless `force`.
 */
export class DemoService {
  constructor(
    private readonly deps: { services: Services; sections?: readonly DemoSection[]; generatePassword?: () => string; fastPasswordHashing?: boolean },
  ) {}

  async load(options: { force: boolean }): Promise<DemoResult> {
    const { services } = this.deps;
    const sections = this.deps.sections ?? demoSections;
    const acting: Acting = { actor: systemActor('demo'), principal: null };
    const result = await services.database.transaction(async (tx) => {
      const ctx: DemoContext = { db: tx.db, tx, services, acting };
      const found: string[] = [];
      for (const section of sections) found.push(...(await section.existing(ctx)));
      if (found.length > 0 && !options.force) {
        throw new AppError('CONFLICT', `This instance already has ${found.join(' and ')}. Demo data is for a fresh instance; run with --force to add it anyway (anything with the same handle is kept as it is).`);
      }
      let owner: DemoResult['owner'] = null;
      if ((await services.catalog.repo.countActiveOwners(tx.db)) === 0) {
        const password = (this.deps.generatePassword ?? (() => randomBytes(18).toString('base64url')))();
        const hash = await hashPassword(password, this.deps.fastPasswordHashing ?? false);
        await services.catalog.createUserIn(tx.db, acting, { ...DEMO_OWNER, role: 'owner' }, hash);
        owner = { email: DEMO_OWNER.email, password };
      }
      const results: DemoResult['sections'] = [];
      for (const section of sections) results.push({ name: section.name, summary: await section.add(ctx) });
      return { owner, sections: results };
    });
    for (const [index, section] of sections.entries()) {
      if (!section.afterCommit) continue;
      const more = await section.afterCommit({ services, acting });
      const entry = result.sections[index] as DemoResult['sections'][number];
      entry.summary = `${entry.summary}, ${more}`;
    }
    return result;
  }
}
