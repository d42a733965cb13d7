/**
 * The slice of RFC 8941 structured fields that signature headers use:
 * dictionaries whose members are inner lists of strings with parameters
 * (Signature-Input) or byte sequences (Signature, Content-Digest). Hand-written
 * for speed: it runs on every signed request.
 */
export class StructuredFieldError extends Error {}

export type BareItem = string | number | boolean | Buffer;

export interface InnerList {
  items: string[];
  /** Each item's own parameters, which Tessera refuses (`;sf`, `;key`, ...). */
  itemHasParams: boolean;
  params: Map<string, BareItem>;
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

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  done(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpaces(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  expect(char: string): void {
    if (this.text[this.pos] !== char) throw new StructuredFieldError(`expected "${char}" at position ${this.pos}`);
    this.pos++;
  }

  key(): string {
    const start = this.pos;
    const first = this.text.charCodeAt(this.pos);
    if (!((first >= 97 && first <= 122) || first === 42)) throw new StructuredFieldError(`expected a key at position ${this.pos}`);
    this.pos++;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 42) this.pos++;
      else break;
    }
    return this.text.slice(start, this.pos);
  }

  string(): string {
    this.expect('"');
    const text = this.text;
    // Most strings hold no escape: find the closing quote and slice once.
    for (let i = this.pos; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        const value = text.slice(this.pos, i);
        this.pos = i + 1;
        return value;
      }
      if (code === 0x5c) return this.escapedString();
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
    this.expect(':');
    const text = this.text;
    const end = text.indexOf(':', this.pos);
    if (end === -1) throw new StructuredFieldError('unterminated byte sequence');
    let padding = 0;
    for (let i = this.pos; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x3d) padding++;
      else if (padding > 0 || code > 0x7f || BASE64[code] === 0) throw new StructuredFieldError('invalid base64 in byte sequence');
    }
    if (padding > 2) throw new StructuredFieldError('invalid base64 in byte sequence');
    const base64 = text.slice(this.pos, end);
    this.pos = end + 1;
    return base64;
  }

  bareItem(): BareItem {
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === ':') return Buffer.from(this.byteSequence(), 'base64');
    if (c === '?') {
      this.pos++;
      const v = this.text[this.pos++];
      if (v !== '0' && v !== '1') throw new StructuredFieldError('invalid boolean');
      return v === '1';
    }
    if (c === '-' || (c >= '0' && c <= '9')) return this.integer();
    // token
    const start = this.pos;
    const first = this.text.charCodeAt(this.pos);
    if (!((first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 42)) throw new StructuredFieldError(`unexpected "${c}" at position ${this.pos}`);
    this.pos++;
    while (this.pos < this.text.length && TOKEN_CHAR[this.text.charCodeAt(this.pos)] === 1) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** RFC 8941 integer: an optional minus and 1 to 15 digits; decimals are refused. */
  private integer(): number {
    const text = this.text;
    const negative = text.charCodeAt(this.pos) === 0x2d;
    let i = negative ? this.pos + 1 : this.pos;
    const digitsStart = i;
    let value = 0;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x30 || code > 0x39) break;
      if (i - digitsStart === 15) throw new StructuredFieldError('invalid integer');
      value = value * 10 + (code - 0x30);
    }
    if (i === digitsStart) throw new StructuredFieldError('invalid integer');
    this.pos = i;
    if (text.charCodeAt(i) === 0x2e) throw new StructuredFieldError('decimals are not accepted here');
    return negative ? -value : value;
  }

  params(): Map<string, BareItem> {
    const params = new Map<string, BareItem>();
    while (this.peek() === ';') {
      this.pos++;
      this.skipSpaces();
      const key = this.key();
      let value: BareItem = true;
      if (this.peek() === '=') {
        this.pos++;
        value = this.bareItem();
      }
      if (params.has(key)) throw new StructuredFieldError(`parameter ${key} appears twice`);
      params.set(key, value);
    }
    return params;
  }

  innerList(): InnerList {
    const start = this.pos;
    this.expect('(');
    const items: string[] = [];
    let itemHasParams = false;
    for (;;) {
      this.skipSpaces();
      if (this.peek() === ')') {
        this.pos++;
        break;
      }
      const item = this.bareItem();
      if (typeof item !== 'string' || this.text[this.pos - 1] !== '"') throw new StructuredFieldError('covered components must be quoted strings');
      items.push(item);
      if (this.peek() === ';') {
        itemHasParams = true;
        this.params();
      }
      const c = this.peek();
      if (c !== ' ' && c !== ')') throw new StructuredFieldError(`unexpected "${c}" in component list`);
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
      this.expect('=');
      out.set(key, member(this));
      this.skipSpaces();
      if (this.done()) break;
      this.expect(',');
      this.skipSpaces();
      if (this.done()) throw new StructuredFieldError('trailing comma');
    }
    return out;
  }
}

/** `Signature-Input`: label → covered components and parameters. */
export function parseSignatureInput(header: string): Map<string, InnerList> {
  return new Scanner(header).dictionary((s) => s.innerList());
}

/**
 * `Signature` and `Content-Digest`: label → the bytes' base64 text as sent
 * (compare it with `base64Matches`). Parameters on members are ignored.
 */
export function parseByteSequenceDictionary(header: string): Map<string, string> {
  return new Scanner(header).dictionary((s) => {
    const bytes = s.byteSequence();
    s.params();
    return bytes;
  });
}

