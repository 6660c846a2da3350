/**
 * Job payloads are stored as JSON text and read back by a handler, possibly in another process or a
 * later release. `JSON.stringify` alone would quietly change some values on the way (a `Date` becomes a
 * string, `NaN` becomes `null`, a `Map` becomes `{}`), and the handler would see something other than
 * what the caller scheduled. So a payload must be plain JSON, checked when the job is added, where the
 * mistake is made and a stack trace points at it.
 */

/**
 * Serializes a job payload, refusing anything that would not read back as the same value.
 * Allowed: `null`, booleans, finite numbers, strings, arrays and plain objects of those. Object
 * properties whose value is `undefined` are dropped (as optional fields are in TypeScript); an
 * omitted payload is stored as `null`.
 *
 * @example
 *   serializePayload('deliver-notification', { notificationId: 'n1' }); // '{"notificationId":"n1"}'
 *   serializePayload('deliver-notification', { at: new Date() });      // throws TypeError naming `payload.at`
 */
export function serializePayload(task: string, payload: unknown): string {
  if (payload === undefined) return 'null';
  const problem = findNonJson(payload, 'payload', new Set());
  if (problem) throw new TypeError(`Job \`${task}\` payload is not plain JSON: ${problem}`);
  return JSON.stringify(payload);
}

function findNonJson(value: unknown, path: string, ancestors: Set<object>): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot represent`;
  if (value === undefined) return `${path} is undefined`;
  if (typeof value !== 'object') return `${path} is a ${typeof value}`;
  if (ancestors.has(value)) return `${path} refers back to one of its parents`;
  if (Array.isArray(value)) {
    ancestors.add(value);
    for (let i = 0; i < value.length; i++) {
      const problem = findNonJson(value[i], `${path}[${i}]`, ancestors);
      if (problem) return problem;
    }
    ancestors.delete(value);
    return null;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    return `${path} is a ${name}, not a plain object (convert it, e.g. a Date to epoch milliseconds)`;
  }
  ancestors.add(value);
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const problem = findNonJson(item, `${path}.${key}`, ancestors);
    if (problem) return problem;
  }
  ancestors.delete(value);
  return null;
}
