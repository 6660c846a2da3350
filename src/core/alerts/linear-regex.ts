/**
 * A small regular-expression engine for routing rules that runs in time linear in the input
 * (a Thompson NFA simulated breadth-first, as RE2 and Go's `regexp` do). Rule patterns are written by
 * service owners and run on every event from every sender: a backtracking engine (JavaScript's
 * `RegExp`) can take exponential time on patterns such as `(a+)+$`, which would stall intake for
 * everyone. Here no pattern can.
 *
 * Supported (an RE2 subset): literals, `.`, classes `[a-z_]` and `[^…]`, escapes `\d \D \w \W \s \S \b \B`
 * and escaped punctuation, anchors `^ $`, groups `(…)`, `(?:…)`, `(?P<name>…)`, `(?<name>…)`, alternation
 * `|`, quantifiers `* + ? {n} {n,} {n,m}` (lazy forms accepted; laziness does not change whether a
 * pattern matches), and a leading `(?i)` for case-insensitive matching. Refused, as RE2 refuses them:
 * backreferences and lookaround. Patterns compile to at most 1000 instructions and only the first
 * 4 KB of a value is searched, so one test costs at most program size × input length steps (typical
 * rule patterns: well under a microsecond). Matching is a search (like RE2's `PartialMatch` and Python's
 * `re.search`): anchor with `^…$` to match the whole value.
 */

/** Patterns longer than this are refused. */
export const MAX_PATTERN_LENGTH = 512;
/** Only the first this-many characters of a value are searched. */
export const MAX_SUBJECT_LENGTH = 4096;
/** Upper bound on `{n,m}` counts, and on the compiled program, so memory stays bounded too. */
const MAX_REPEAT = 1000;
const MAX_PROGRAM = 1000;

export class RegexSyntaxError extends Error {}

type CharTest = (c: number) => boolean;
type Node =
  | { t: 'char'; test: CharTest }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: 'bol' | 'eol' | 'word' | 'nonword' };

type Inst =
  | { op: 'char'; test: CharTest; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'jmp'; to: number }
  | { op: 'assert'; kind: 'bol' | 'eol' | 'word' | 'nonword'; next: number }
  | { op: 'match' };

/** A compiled pattern. */
export interface LinearRegex {
  readonly source: string;
  /** Instructions in the compiled program: one test costs at most size × input length steps. */
  readonly size: number;
  /** True when the pattern matches somewhere in `subject` (its first `MAX_SUBJECT_LENGTH` characters). */
  test(subject: string): boolean;
}

const isDigit: CharTest = (c) => c >= 48 && c <= 57;
const isWord: CharTest = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace: CharTest = (c) => c === 32 || (c >= 9 && c <= 13);
const not = (f: CharTest): CharTest => (c) => !f(c);

function fold(test: CharTest): CharTest {
  return (c) => {
    if (test(c)) return true;
    const s = String.fromCodePoint(c);
    const lower = s.toLowerCase().codePointAt(0) as number;
    const upper = s.toUpperCase().codePointAt(0) as number;
    return (lower !== c && test(lower)) || (upper !== c && test(upper));
  };
}

class Parser {
  private i = 0;
  private readonly cps: number[];
  constructor(source: string, private readonly ignoreCase: boolean) {
    this.cps = Array.from(source, (ch) => ch.codePointAt(0) as number);
  }

  private peek(): number | undefined {
    return this.cps[this.i];
  }
  private ch(): string {
    const c = this.peek();
    return c === undefined ? '' : String.fromCodePoint(c);
  }
  private fail(message: string): never {
    throw new RegexSyntaxError(`${message} at position ${this.i + 1}`);
  }

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.cps.length) this.fail(this.ch() === ')' ? 'unmatched `)`' : `unexpected \`${this.ch()}\``);
    return node;
  }

  private alternation(): Node {
    const items = [this.concatenation()];
    while (this.ch() === '|') {
      this.i++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'alt', items };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    while (this.i < this.cps.length && this.ch() !== '|' && this.ch() !== ')') items.push(this.quantified());
    return { t: 'cat', items };
  }

  private quantified(): Node {
    const atom = this.atom();
    const q = this.ch();
    let min: number;
    let max: number;
    if (q === '*' || q === '+' || q === '?') {
      this.i++;
      [min, max] = q === '*' ? [0, Infinity] : q === '+' ? [1, Infinity] : [0, 1];
    } else if (q === '{' && this.braceAhead()) {
      [min, max] = this.braces();
    } else return atom;
    if (atom.t === 'assert') this.fail('nothing to repeat');
    if (this.ch() === '?') this.i++; // lazy: same language
    else if (this.ch() === '+') this.fail('possessive quantifiers are not supported');
    if ('*+?{'.includes(this.ch()) && this.ch() !== '' && !(this.ch() === '{' && !this.braceAhead())) this.fail('a quantifier cannot follow another quantifier');
    return { t: 'repeat', node: atom, min, max };
  }

  /** `{` starts a repetition only when it reads `{n}`, `{n,}` or `{n,m}`; otherwise it is a literal. */
  private braceAhead(): boolean {
    const rest = String.fromCodePoint(...this.cps.slice(this.i, this.i + 16));
    return /^\{\d+(,\d*)?\}/.test(rest);
  }

  private braces(): [number, number] {
    const rest = String.fromCodePoint(...this.cps.slice(this.i, this.i + 16));
    const m = /^\{(\d+)(,(\d*))?\}/.exec(rest) as RegExpExecArray;
    this.i += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.fail(`repetition counts above ${MAX_REPEAT} are not supported`);
    if (max < min) this.fail('repetition range is out of order');
    return [min, max];
  }

  private literal(c: number): Node {
    const test: CharTest = (x) => x === c;
    return { t: 'char', test: this.ignoreCase ? fold(test) : test };
  }

  private atom(): Node {
    const c = this.ch();
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '.':
        this.i++;
        return { t: 'char', test: (x) => x !== 10 };
      case '^':
        this.i++;
        return { t: 'assert', kind: 'bol' };
      case '$':
        this.i++;
        return { t: 'assert', kind: 'eol' };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        return this.fail('nothing to repeat');
      default:
        if (c === '{' && this.braceAhead()) this.fail('nothing to repeat');
        this.i++;
        return this.literal(this.cps[this.i - 1] as number);
    }
  }

  private group(): Node {
    this.i++; // (
    if (this.ch() === '?') {
      const rest = String.fromCodePoint(...this.cps.slice(this.i, this.i + 4));
      if (rest.startsWith('?:')) this.i += 2;
      else if (rest.startsWith('?P<') || (rest.startsWith('?<') && rest[2] !== '=' && rest[2] !== '!')) {
        this.i += rest.startsWith('?P<') ? 3 : 2;
        while (this.i < this.cps.length && this.ch() !== '>') {
          if (!/\w/.test(this.ch())) this.fail('invalid group name');
          this.i++;
        }
        if (this.ch() !== '>') this.fail('unterminated group name');
        this.i++;
      } else if (rest.startsWith('?=') || rest.startsWith('?!') || rest.startsWith('?<=') || rest.startsWith('?<!')) {
        this.fail('lookaround is not supported');
      } else if (rest.startsWith('?i)')) {
        this.fail('`(?i)` is only allowed at the start of the pattern');
      } else this.fail('unsupported group syntax');
    }
    const inner = this.alternation();
    if (this.ch() !== ')') this.fail('missing `)`');
    this.i++;
    return inner;
  }

  private escapeClass(c: string): CharTest | null {
    switch (c) {
      case 'd':
        return isDigit;
      case 'D':
        return not(isDigit);
      case 'w':
        return isWord;
      case 'W':
        return not(isWord);
      case 's':
        return isSpace;
      case 'S':
        return not(isSpace);
      default:
        return null;
    }
  }

  /** The code point a single-character escape stands for, or a refusal. */
  private escapedChar(c: string): number {
    switch (c) {
      case 'n':
        return 10;
      case 't':
        return 9;
      case 'r':
        return 13;
      case 'f':
        return 12;
      case 'v':
        return 11;
      case '0':
        return 0;
    }
    if (/^[1-9]$/.test(c) || c === 'k') this.fail('backreferences are not supported');
    if (/^[a-zA-Z]$/.test(c)) this.fail(`unsupported escape \`\\${c}\``);
    if (c === '') this.fail('trailing backslash');
    return c.codePointAt(0) as number;
  }

  private escape(): Node {
    this.i++; // backslash
    const c = this.ch();
    this.i++;
    if (c === 'b') return { t: 'assert', kind: 'word' };
    if (c === 'B') return { t: 'assert', kind: 'nonword' };
    const cls = this.escapeClass(c);
    if (cls) return { t: 'char', test: cls };
    return this.literal(this.escapedChar(c));
  }

  private charClass(): Node {
    this.i++; // [
    let negate = false;
    if (this.ch() === '^') {
      negate = true;
      this.i++;
    }
    const tests: CharTest[] = [];
    let first = true;
    while (this.i < this.cps.length && (this.ch() !== ']' || first)) {
      first = false;
      let lo: number;
      if (this.ch() === '\\') {
        this.i++;
        const e = this.ch();
        this.i++;
        const cls = this.escapeClass(e);
        if (cls) {
          tests.push(cls);
          continue;
        }
        lo = e === 'b' ? 8 : this.escapedChar(e);
      } else {
        lo = this.cps[this.i] as number;
        this.i++;
      }
      if (this.ch() === '-' && this.cps[this.i + 1] !== undefined && this.cps[this.i + 1] !== 93 /* ] */) {
        this.i++;
        let hi: number;
        if (this.ch() === '\\') {
          this.i++;
          const e = this.ch();
          this.i++;
          if (this.escapeClass(e)) this.fail('a class escape cannot end a range');
          hi = this.escapedChar(e);
        } else {
          hi = this.cps[this.i] as number;
          this.i++;
        }
        if (hi < lo) this.fail('character class range is out of order');
        tests.push((x) => x >= lo && x <= hi);
      } else {
        const v = lo;
        tests.push((x) => x === v);
      }
    }
    if (this.ch() !== ']') this.fail('missing `]`');
    this.i++;
    const any: CharTest = (x) => tests.some((t) => t(x));
    const folded = this.ignoreCase ? fold(any) : any;
    return { t: 'char', test: negate ? not(folded) : folded };
  }
}

/** Thompson construction into a flat program; `{n,m}` is expanded into copies. */
function compileProgram(root: Node): Inst[] {
  const prog: Inst[] = [];
  const emit = (inst: Inst): number => {
    if (prog.length >= MAX_PROGRAM) throw new RegexSyntaxError('pattern is too complex (too many repeated parts)');
    prog.push(inst);
    return prog.length - 1;
  };
  // Each gen returns nothing; it appends instructions whose dangling `next` is patched to prog.length afterwards.
  const gen = (node: Node): void => {
    switch (node.t) {
      case 'char': {
        emit({ op: 'char', test: node.test, next: prog.length + 1 });
        return;
      }
      case 'assert':
        emit({ op: 'assert', kind: node.kind, next: prog.length + 1 });
        return;
      case 'cat':
        for (const item of node.items) gen(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.items.forEach((item, k) => {
          if (k < node.items.length - 1) {
            const split = emit({ op: 'split', a: prog.length + 1, b: -1 });
            gen(item);
            jumps.push(emit({ op: 'jmp', to: -1 }));
            (prog[split] as { b: number }).b = prog.length;
          } else gen(item);
        });
        for (const j of jumps) (prog[j] as { to: number }).to = prog.length;
        return;
      }
      case 'repeat': {
        for (let k = 0; k < node.min; k++) gen(node.node);
        if (node.max === Infinity) {
          const split = emit({ op: 'split', a: prog.length + 1, b: -1 });
          gen(node.node);
          emit({ op: 'jmp', to: split });
          (prog[split] as { b: number }).b = prog.length;
        } else {
          const splits: number[] = [];
          for (let k = node.min; k < node.max; k++) {
            splits.push(emit({ op: 'split', a: prog.length + 1, b: -1 }));
            gen(node.node);
          }
          for (const s of splits) (prog[s] as { b: number }).b = prog.length;
        }
        return;
      }
    }
  };
  gen(root);
  emit({ op: 'match' });
  return prog;
}

/**
 * Runs the program breadth-first (Pike VM without captures). Each instruction joins the thread list
 * at most once per input position (generation marks), so the work is O(program × input). Character
 * tests for ASCII are looked up in tables built once per pattern.
 */
function run(prog: Inst[], ascii: ReadonlyArray<Uint8Array | null>, subject: string): boolean {
  const input = Array.from(subject.length > MAX_SUBJECT_LENGTH ? subject.slice(0, MAX_SUBJECT_LENGTH) : subject, (ch) => ch.codePointAt(0) as number);
  const n = prog.length;
  let current = new Int32Array(n);
  let next = new Int32Array(n);
  let currentCount = 0;
  let nextCount = 0;
  const mark = new Int32Array(n).fill(-1);
  const stack = new Int32Array(2 * n + 2);
  let gen = 0;
  const wordAt = (pos: number) => pos >= 0 && pos < input.length && isWord(input[pos] as number);

  /** Follows jumps, splits and assertions from `pc` at `pos`; adds character steps to `next`. True on a match. */
  const add = (pc: number, pos: number): boolean => {
    let top = 0;
    stack[top++] = pc;
    while (top > 0) {
      const p = stack[--top] as number;
      if (mark[p] === gen) continue;
      mark[p] = gen;
      const inst = prog[p] as Inst;
      switch (inst.op) {
        case 'match':
          return true;
        case 'jmp':
          stack[top++] = inst.to;
          break;
        case 'split':
          stack[top++] = inst.b;
          stack[top++] = inst.a;
          break;
        case 'assert': {
          const ok =
            inst.kind === 'bol' ? pos === 0 :
            inst.kind === 'eol' ? pos === input.length :
            inst.kind === 'word' ? wordAt(pos - 1) !== wordAt(pos) :
            wordAt(pos - 1) === wordAt(pos);
          if (ok) stack[top++] = inst.next;
          break;
        }
        case 'char':
          next[nextCount++] = p;
          break;
      }
    }
    return false;
  };

  gen++;
  if (add(0, 0)) return true;
  [current, next, currentCount, nextCount] = [next, current, nextCount, 0];
  for (let pos = 0; pos < input.length; pos++) {
    const c = input[pos] as number;
    gen++;
    for (let k = 0; k < currentCount; k++) {
      const pc = current[k] as number;
      const inst = prog[pc] as Extract<Inst, { op: 'char' }>;
      const table = ascii[pc];
      const ok = c < 128 && table ? table[c] === 1 : inst.test(c);
      if (ok && add(inst.next, pos + 1)) return true;
    }
    // Unanchored search: a new thread starts at every position.
    if (add(0, pos + 1)) return true;
    [current, next, currentCount, nextCount] = [next, current, nextCount, 0];
  }
  return false;
}

/**
 * Compiles a pattern, or throws `RegexSyntaxError` saying what is wrong and where.
 *
 * @example
 *   compileLinearRegex('^db-\\d+$').test('db-12'); // true
 *   compileLinearRegex('(?i)disk full').test('DISK FULL on db-1'); // true
 */
export function compileLinearRegex(source: string): LinearRegex {
  if (source.length > MAX_PATTERN_LENGTH) throw new RegexSyntaxError(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  const ignoreCase = source.startsWith('(?i)');
  const body = ignoreCase ? source.slice(4) : source;
  const prog = compileProgram(new Parser(body, ignoreCase).parse());
  const ascii = prog.map((inst) => {
    if (inst.op !== 'char') return null;
    const table = new Uint8Array(128);
    for (let c = 0; c < 128; c++) table[c] = inst.test(c) ? 1 : 0;
    return table;
  });
  return { source, size: prog.length, test: (subject) => run(prog, ascii, subject) };
}
