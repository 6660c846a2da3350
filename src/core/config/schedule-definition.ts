import type { ScheduleDocument, ScheduleLayerSpec } from '../../contracts/config.js';
import { instantFromIso, isoFromInstant, type Layer, type Override, type Restriction, type ScheduleDefinition } from '../oncall/index.js';
import type { DocumentPath } from './kinds.js';

/**
 * An instant as config writes it: ISO 8601 in UTC with `Z`, without a fraction when it is zero
 * (`2026-01-05T09:00:00Z`). Every way of writing one instant gives the same text, so an offset in a
 * file (`10:00:00+01:00`) is no change against the `09:00:00Z` the server exports.
 */
export function instantText(iso: string): string {
  return isoFromInstant(instantFromIso(iso));
}

/** The engine's layer for a document layer; people stay named by handle. */
export function layerOf(spec: ScheduleLayerSpec): Layer {
  return {
    id: spec.id,
    name: spec.name,
    participants: spec.participants,
    start: instantFromIso(spec.start),
    ...(spec.end !== undefined ? { end: instantFromIso(spec.end) } : {}),
    handoffTime: spec.handoffTime,
    turn: { unit: spec.turn.unit, count: spec.turn.count },
    restrictions: (spec.restrictions ?? []) as Restriction[],
    advance: spec.advance,
    shadows: spec.shadows ?? [],
    ...(spec.timeZone !== undefined ? { timeZone: spec.timeZone } : {}),
  };
}

/**
 * The engine's definition of a Schedule document, people by handle, named by the document's handle
 * (lint messages then read "Schedule `platform-primary` has no one on call …"). Overrides are not
 * config; the server passes the live ones so lints see the cover people arranged.
 */
export function scheduleDefinitionOf(document: ScheduleDocument, overrides: readonly Override[] = []): ScheduleDefinition {
  return { name: document.metadata.name, timeZone: document.spec.timeZone, layers: document.spec.layers.map(layerOf), overrides };
}

/** The engine's field path (`layers.0.turn.count`) as a path into the document (`spec.layers.0.turn.count`). */
export function documentPathOfSchedulePath(path: string): DocumentPath {
  return ['spec', ...path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s))];
}
