import { TesseraError } from './errors.js';

/**
 * Money is an integer number of minor units of an ISO 4217 currency: 1050 USD
 * is $10.50, 1050 JPY is ¥1,050, 1050 KWD is 1.050 KWD. No floats: amounts
 * are validated as safe integers, added and compared as integers, and only
 * formatted for display (by string operations, never by dividing).
 */
export interface Money {
  amount: number;
  currency: string;
}

/** ISO 4217 minor-unit exponents of the currencies Tessera accepts. */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PLN: 2,
  SEK: 2,
  SGD: 2,
  TND: 3,
  USD: 2,
  VND: 0,
  ZAR: 2,
};

export const SUPPORTED_CURRENCIES: readonly string[] = Object.keys(CURRENCY_EXPONENTS);

export function currencyExponent(currency: string): number {
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent === undefined) throw new TypeError(`unsupported currency ${currency}: validate it with parseCurrency first`);
  return exponent;
}

/** An ISO 4217 code the caller sent (any case) as the upper-case code, or a 400 naming the field. */
export function parseCurrency(value: string, param = 'currency'): string {
  const code = value.toUpperCase();
  if (!Object.hasOwn(CURRENCY_EXPONENTS, code)) {
    throw new TesseraError('invalid_field', `\`${param}\` must be an ISO 4217 currency code Tessera supports: ${SUPPORTED_CURRENCIES.join(', ')}.`, { param });
  }
  return code;
}

/** A positive safe integer of minor units, at most `max`; otherwise a 400 naming the field. */
export function parseAmount(value: number, currency: string, max: number, param = 'amount'): number {
  if (!Number.isSafeInteger(value)) {
    throw new TesseraError('invalid_field', `\`${param}\` must be a whole number of minor units (cents for USD, yen for JPY): 1050 is 10.50 USD.`, { param });
  }
  if (value <= 0) throw new TesseraError('invalid_field', `\`${param}\` must be positive.`, { param });
  if (value > max) {
    throw new TesseraError('invalid_field', `\`${param}\` must be at most ${max} minor units (${formatAmount(max, currency)} ${currency}).`, { param });
  }
  return value;
}

export function parseMoney(input: { amount: number; currency: string }, max: number, params = { amount: 'amount', currency: 'currency' }): Money {
  const currency = parseCurrency(input.currency, params.currency);
  return { amount: parseAmount(input.amount, currency, max, params.amount), currency };
}

/**
 * `1234567` USD → `12,345.67`; `1050` JPY → `1,050`; `5` KWD → `0.005`.
 * String operations only: the integer's digits are split at the exponent.
 */
export function formatAmount(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new TypeError(`amount ${amount} is not a safe integer`);
  const exponent = currencyExponent(currency);
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${exponent > 0 ? `.${fraction}` : ''}`;
}

/** `USD 12,345.67`: how the hosted page shows an amount. */
export function formatMoney(money: Money): string {
  return `${money.currency} ${formatAmount(money.amount, money.currency)}`;
}
