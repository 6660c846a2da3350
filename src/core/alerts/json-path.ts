/**
 * A small JSON path evaluator for generic webhook mappings (docs/alerts.md, "Mapping arbitrary
 * payloads"). It reads one value; it is not a query language: no wildcards, filters, slices or
 * recursive descent, so a path names at most one value and evaluation is linear in its length.
 *
 * Grammar (a subset of RFC 9535 JSONPath's singular queries):
 *
 * ```
 * path     = [ "$" ] segment*          ; the leading "$" (the document) is optional
 * segment  = "." name                   ; $.alert.name    (the first one may omit the dot: alert.name)
 *          | "[" index "]"              ; $.items[0], $.items[-1] (from the end)
 *          | "[" quoted "]"             ; $['odd key'], $["a.b"]
 * name     = 1*( ALPHA / DIGIT / "_" / "-" / "$" / "@" )
 * quoted   = "'" *( char / "\'" / "\\" ) "'"  |  '"' *( char / '\"' / "\\" ) '"'
 * ```
 *
 * Object keys are looked up as own properties only (`__proto__`, `constructor` are ordinary keys that
 * are usually absent), so a path can never reach into JavaScript internals.
 *
 * @example
 *   readPath({ alert: { name: 'Disk full' } }, '$.alert.name') // 'Disk full'
 *   readPath({ items: [{ id: 7 }] }, '$.items[0].id')          // 7
 *   readPath({ 'a.b': 1 }, "$['a.b']")                         // 1
 */

/** One step of a path: an object key or an array index (negative counts from the end). */
export type PathSegment = string | number;

export type ParsedPath = { ok: true; segments: PathSegment[] } | { ok: false; error: string };

export const JSON_PATH_MAX_LENGTH = 500;
export const JSON_PATH_MAX_SEGMENTS = 32;

const isNameChar = (c: string): boolean => /^[A-Za-z0-9_$@-]$/.test(c);

/**
 * Parses a path. Errors say where the path goes wrong: "at character 7: expected a closing ]".
 *
 * @example
 *   parsePath('$.items[0].id') // { ok: true, segments: ['items', 0, 'id'] }
 */
export function parsePath(path: string): ParsedPath {
  if (path.length === 0) return { ok: false, error: 'is empty' };
  if (path.length > JSON_PATH_MAX_LENGTH) return { ok: false, error: `must be at most ${JSON_PATH_MAX_LENGTH} characters` };
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (message: string): ParsedPath => ({ ok: false, error: `at character ${i + 1}: ${message}` });
  if (path[0] === '$') i = 1;
  else if (isNameChar(path[0] as string)) {
    // A bare first name: `alert.name` means `$.alert.name`.
    path = `.${path}`;
  }
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      i++;
      const start = i;
      while (i < path.length && isNameChar(path[i] as string)) i++;
      if (i === start) return fail('expected a name after "."');
      segments.push(path.slice(start, i));
    } else if (c === '[') {
      i++;
      const q = path[i];
      if (q === "'" || q === '"') {
        i++;
        let key = '';
        for (;;) {
          if (i >= path.length) return fail(`expected a closing ${q}`);
          const ch = path[i] as string;
          if (ch === '\\') {
            const next = path[i + 1];
            if (next !== q && next !== '\\') return fail(`only \\${q} and \\\\ are escapes inside a quoted key`);
            key += next;
            i += 2;
          } else if (ch === q) {
            i++;
            break;
          } else {
            key += ch;
            i++;
          }
        }
        segments.push(key);
      } else {
        const start = i;
        if (path[i] === '-') i++;
        while (i < path.length && /[0-9]/.test(path[i] as string)) i++;
        const digits = path.slice(start, i);
        if (!/^-?(0|[1-9][0-9]{0,8})$/.test(digits)) {
          i = start;
          return fail('expected an array index (an integer such as 0 or -1) or a quoted key');
        }
        segments.push(Number(digits));
      }
      if (path[i] !== ']') return fail('expected a closing ]');
      i++;
    } else {
      return fail(`unexpected ${JSON.stringify(c)}; expected "." or "["`);
    }
    if (segments.length > JSON_PATH_MAX_SEGMENTS) return { ok: false, error: `must have at most ${JSON_PATH_MAX_SEGMENTS} steps` };
  }
  return { ok: true, segments };
}

/** Follows parsed segments; `undefined` when any step is missing. */
export function evaluatePath(document: unknown, segments: readonly PathSegment[]): unknown {
  let current: unknown = document;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      const index = segment < 0 ? current.length + segment : segment;
      if (index < 0 || index >= current.length) return undefined;
      current = current[index];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

/** Parses and evaluates; `undefined` when the path is invalid or names nothing. */
export function readPath(document: unknown, path: string): unknown {
  const parsed = parsePath(path);
  return parsed.ok ? evaluatePath(document, parsed.segments) : undefined;
}

/** Writes segments back as a path that `parsePath` reads to the same segments. */
export function formatPath(segments: readonly PathSegment[]): string {
  return `$${segments
    .map((s) => {
      if (typeof s === 'number') return `[${s}]`;
      if (/^[A-Za-z0-9_$@-]+$/.test(s)) return `.${s}`;
      return `['${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
    })
    .join('')}`;
}
