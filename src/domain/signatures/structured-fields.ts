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

  byteSequence(): Buffer {
    this.expect(':');
    const end = this.text.indexOf(':', this.pos);
    if (end === -1) throw new StructuredFieldError('unterminated byte sequence');
    const b64 = this.text.slice(this.pos, end);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new StructuredFieldError('invalid base64 in byte sequence');
    this.pos = end + 1;
    return Buffer.from(b64, 'base64');
  }

  bareItem(): BareItem {
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === ':') return this.byteSequence();
    if (c === '?') {
      this.pos++;
      const v = this.text[this.pos++];
      if (v !== '0' && v !== '1') throw new StructuredFieldError('invalid boolean');
      return v === '1';
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const match = /^-?\d{1,15}/.exec(this.text.slice(this.pos, this.pos + 16));
      if (match === null) throw new StructuredFieldError('invalid integer');
      this.pos += match[0].length;
      if (this.peek() === '.') throw new StructuredFieldError('decimals are not accepted here');
      return Number(match[0]);
    }
    // token
    const start = this.pos;
    if (!/[A-Za-z*]/.test(c)) throw new StructuredFieldError(`unexpected "${c}" at position ${this.pos}`);
    while (this.pos < this.text.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
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

/** `Signature` and `Content-Digest`: label → bytes. Parameters on members are ignored. */
export function parseByteSequenceDictionary(header: string): Map<string, Buffer> {
  return new Scanner(header).dictionary((s) => {
    const bytes = s.byteSequence();
    s.params();
    return bytes;
  });
}
