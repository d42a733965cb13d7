import { TesseraError } from './errors.js';

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay' | 'unknown';

/** Card data as the vault keeps it, sealed: never the CVC. */
export interface CardData {
  number: string;
  expMonth: number;
  expYear: number;
}

/** Spaces and dashes are how people type card numbers; anything else but digits is refused. */
export function normalizeCardNumber(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '');
  return /^\d{12,19}$/.test(digits) ? digits : null;
}

/** ISO/IEC 7812 check digit (Luhn). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function prefixIn(digits: string, length: number, low: number, high: number): boolean {
  const prefix = Number(digits.slice(0, length));
  return prefix >= low && prefix <= high;
}

export function cardBrand(digits: string): CardBrand {
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^4/.test(digits)) return 'visa';
  if (prefixIn(digits, 2, 51, 55) || prefixIn(digits, 4, 2221, 2720)) return 'mastercard';
  if (/^(6011|65)/.test(digits) || prefixIn(digits, 3, 644, 649)) return 'discover';
  if (/^(36|30[0-5]|38|39)/.test(digits)) return 'diners';
  if (prefixIn(digits, 4, 3528, 3589)) return 'jcb';
  if (/^62/.test(digits)) return 'unionpay';
  return 'unknown';
}

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

/**
 * Validates what a customer typed, by the server's clock: a Luhn-valid number,
 * an expiry month not yet over, a CVC of the right length for the brand.
 * Errors name the field and never quote the number.
 */
export function parseCard(input: CardInput, now: number): { card: CardData; brand: CardBrand; last4: string } {
  const number = normalizeCardNumber(input.number);
  if (number === null) throw new TesseraError('invalid_field', '`number` must be a card number of 12 to 19 digits (spaces and dashes are ignored).', { param: 'number' });
  if (!luhnValid(number)) throw new TesseraError('invalid_field', '`number` is not a valid card number: its check digit is wrong. Check for a typo.', { param: 'number' });
  const brand = cardBrand(number);
  const today = new Date(now);
  const year = today.getUTCFullYear();
  const month = today.getUTCMonth() + 1;
  if (input.expYear < year || (input.expYear === year && input.expMonth < month)) {
    throw new TesseraError('invalid_field', 'The card has expired: `expYear`/`expMonth` is in the past. Use a card that is still valid.', { param: input.expYear < year ? 'expYear' : 'expMonth' });
  }
  if (input.expYear > year + 25) throw new TesseraError('invalid_field', '`expYear` is too far in the future for a card: give the year printed on the card (4 digits).', { param: 'expYear' });
  const cvcLength = brand === 'amex' ? 4 : 3;
  if (!new RegExp(`^\\d{${cvcLength}}$`).test(input.cvc)) {
    throw new TesseraError('invalid_field', `\`cvc\` must be the ${cvcLength} digits ${brand === 'amex' ? 'printed on the front of the card' : 'on the back of the card'}.`, { param: 'cvc' });
  }
  return { card: { number, expMonth: input.expMonth, expYear: input.expYear }, brand, last4: number.slice(-4) };
}
