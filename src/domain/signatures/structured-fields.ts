/**
 * The slice of RFC 8941 structured fields that signature headers use:
 * dictionaries whose members are inner lists of strings with parameters
 * (Signature-Input) or byte sequences (Signature, Content-Digest). Hand-written
 * for speed: it runs on every signed request.
 */
export class StructuredFieldError extends Error {}

export type BareItem = string | number | boolean | Buffer;

/** RFC 8941 §4.2.3.2 asks parsers to support at least this many parameters on one item. */
const MAX_PARAMETERS = 256;

/**
 * The parameters of one item, in order, keys unique (a repeat is refused).
 * Two small arrays rather than a Map: an item carries a handful, compared by
 * a scan, while a Map hashes every key, and these keys are new strings on
 * every signed request (hashing and Map look-ups showed in a profile of the
 * server under signed load).
 */
export class Parameters {
  constructor(
    readonly names: readonly string[],
    readonly values: readonly BareItem[],
  ) {}

  get(name: string): BareItem | undefined {
    const at = this.names.indexOf(name);
    return at === -1 ? undefined : this.values[at];
  }
}

export interface InnerList {
  items: string[];
  /** Each item's own parameters, which Tessera refuses (`;sf`, `;key`, ...). */
  itemHasParams: boolean;
  params: Parameters;
  /** The member value exactly as received: the signature base repeats it. */
  raw: string;
}

/** Characters of base64 (RFC 4648 §4) other than the `=` padding, by char code. */
const BASE64 = charTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
/** Characters a token may hold after its first (RFC 8941 §3.3.4: tchar, ":" and "/"). */
const TOKEN_CHAR = charTable("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:/");

function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

// Character codes the scanner tests (it compares codes, not one-character strings).
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const COMMA = 0x2c;
const OPEN = 0x28;
const CLOSE = 0x29;
const QUESTION = 0x3f;
const MINUS = 0x2d;
const STAR = 0x2a;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isLowercase(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

/** After its first character, a key holds lower-case letters, digits, `_`, `-`, `.` and `*` (RFC 8941 §3.1.2). */
function isKeyChar(code: number): boolean {
  return isLowercase(code) || isDigit(code) || code === 0x5f || code === MINUS || code === 0x2e || code === STAR;
}

/** Shared by members without parameters, and never written to. */
const NO_PARAMS = new Parameters([], []);

/** A position in the field; `code()` is NaN past its end, which no comparison matches. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  code(): number {
    return this.text.charCodeAt(this.pos);
  }

  done(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpaces(): void {
    for (let c = this.code(); c === SPACE || c === TAB; c = this.code()) this.pos++;
  }

  expect(code: number): void {
    if (this.code() !== code) throw new StructuredFieldError(`expected "${String.fromCharCode(code)}" at position ${this.pos}`);
    this.pos++;
  }

  key(): string {
    const text = this.text;
    const start = this.pos;
    const first = text.charCodeAt(start);
    if (!(isLowercase(first) || first === STAR)) throw new StructuredFieldError(`expected a key at position ${start}`);
    let i = start + 1;
    while (isKeyChar(text.charCodeAt(i))) i++;
    this.pos = i;
    return text.slice(start, i);
  }

  string(): string {
    this.expect(QUOTE);
    const text = this.text;
    // Most strings hold no escape: find the closing quote and slice once.
    for (let i = this.pos; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) {
        const value = text.slice(this.pos, i);
        this.pos = i + 1;
        return value;
      }
      if (code === BACKSLASH) return this.escapedString();
      if (code < 0x20 || code > 0x7e) throw new StructuredFieldError('invalid character in string');
    }
    throw new StructuredFieldError('unterminated string');
  }

  private escapedString(): string {
    let out = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) throw new StructuredFieldError('unterminated string');
      if (c === '"') return out;
      if (c === '\\') {
        const next = this.text[this.pos++];
        if (next !== '"' && next !== '\\') throw new StructuredFieldError('invalid escape in string');
        out += next;
      } else {
        const code = c.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) throw new StructuredFieldError('invalid character in string');
        out += c;
      }
    }
  }

  /** A byte sequence's base64 text as received, once checked to be base64: callers compare it without decoding. */
  byteSequence(): string {
    this.expect(COLON);
    const text = this.text;
    const end = text.indexOf(':', this.pos);
    if (end === -1) throw new StructuredFieldError('unterminated byte sequence');
    let padding = 0;
    for (let i = this.pos; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code === EQUALS) padding++;
      else if (padding > 0 || code > 0x7f || BASE64[code] === 0) throw new StructuredFieldError('invalid base64 in byte sequence');
    }
    if (padding > 2) throw new StructuredFieldError('invalid base64 in byte sequence');
    const base64 = text.slice(this.pos, end);
    this.pos = end + 1;
    return base64;
  }

  bareItem(): BareItem {
    const c = this.code();
    if (c === QUOTE) return this.string();
    if (c === COLON) return Buffer.from(this.byteSequence(), 'base64');
    if (c === QUESTION) {
      const v = this.text.charCodeAt(this.pos + 1);
      if (v !== 0x30 && v !== 0x31) throw new StructuredFieldError('invalid boolean');
      this.pos += 2;
      return v === 0x31;
    }
    if (c === MINUS || isDigit(c)) return this.integer();
    // token
    const text = this.text;
    const start = this.pos;
    if (!((c >= 65 && c <= 90) || isLowercase(c) || c === STAR)) throw new StructuredFieldError(`unexpected "${text.charAt(start)}" at position ${start}`);
    let i = start + 1;
    while (i < text.length && TOKEN_CHAR[text.charCodeAt(i)] === 1) i++;
    this.pos = i;
    return text.slice(start, i);
  }

  /** RFC 8941 integer: an optional minus and 1 to 15 digits; decimals are refused. */
  private integer(): number {
    const text = this.text;
    const negative = text.charCodeAt(this.pos) === MINUS;
    let i = negative ? this.pos + 1 : this.pos;
    const digitsStart = i;
    let value = 0;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (!isDigit(code)) break;
      if (i - digitsStart === 15) throw new StructuredFieldError('invalid integer');
      value = value * 10 + (code - 0x30);
    }
    if (i === digitsStart) throw new StructuredFieldError('invalid integer');
    this.pos = i;
    if (text.charCodeAt(i) === 0x2e) throw new StructuredFieldError('decimals are not accepted here');
    return negative ? -value : value;
  }

  params(): Parameters {
    if (this.code() !== SEMICOLON) return NO_PARAMS;
    const names: string[] = [];
    const values: BareItem[] = [];
    while (this.code() === SEMICOLON) {
      this.pos++;
      this.skipSpaces();
      const key = this.key();
      let value: BareItem = true;
      if (this.code() === EQUALS) {
        this.pos++;
        value = this.bareItem();
      }
      // The bound keeps the repeat check (a scan) from growing quadratic on a hostile header.
      if (names.includes(key)) throw new StructuredFieldError(`parameter ${key} appears twice`);
      if (names.length === MAX_PARAMETERS) throw new StructuredFieldError(`more than ${MAX_PARAMETERS} parameters`);
      names.push(key);
      values.push(value);
    }
    return new Parameters(names, values);
  }

  innerList(): InnerList {
    const start = this.pos;
    this.expect(OPEN);
    const items: string[] = [];
    let itemHasParams = false;
    for (;;) {
      this.skipSpaces();
      if (this.code() === CLOSE) {
        this.pos++;
        break;
      }
      if (this.code() !== QUOTE) throw new StructuredFieldError('covered components must be quoted strings');
      items.push(this.string());
      if (this.code() === SEMICOLON) {
        itemHasParams = true;
        this.params();
      }
      const c = this.code();
      if (c !== SPACE && c !== CLOSE) throw new StructuredFieldError(`unexpected "${this.text.charAt(this.pos)}" in component list`);
    }
    const params = this.params();
    return { items, itemHasParams, params, raw: this.text.slice(start, this.pos) };
  }

  /** Dictionary: `key=value, key=value`. */
  dictionary<T>(member: (s: Scanner) => T): Map<string, T> {
    const out = new Map<string, T>();
    this.skipSpaces();
    while (!this.done()) {
      const key = this.key();
      this.expect(EQUALS);
      out.set(key, member(this));
      this.skipSpaces();
      if (this.done()) break;
      this.expect(COMMA);
      this.skipSpaces();
      if (this.done()) throw new StructuredFieldError('trailing comma');
    }
    return out;
  }
}

// Member parsers are made once, not per call: a closure created per request costs a lazy-compile
// step on its first call (it showed in a profile of the server under signed load).
const innerListMember = (s: Scanner): InnerList => s.innerList();
const byteSequenceMember = (s: Scanner): string => {
  const bytes = s.byteSequence();
  s.params();
  return bytes;
};

/** `Signature-Input`: label → covered components and parameters. */
export function parseSignatureInput(header: string): Map<string, InnerList> {
  return new Scanner(header).dictionary(innerListMember);
}

/**
 * `Signature` and `Content-Digest`: label → the bytes' base64 text as sent
 * (compare it with `base64Matches`). Parameters on members are ignored.
 */
export function parseByteSequenceDictionary(header: string): Map<string, string> {
  return new Scanner(header).dictionary(byteSequenceMember);
}
