import { describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/domain/errors.js';
import { CURRENCY_EXPONENTS, formatAmount, formatMoney, parseAmount, parseCurrency, parseMoney } from '../../src/domain/money.js';

function errorOf(fn: () => unknown): { code: string; param: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (isTesseraError(error)) return { code: error.code, param: error.param };
    throw error;
  }
  throw new Error('expected a TesseraError');
}

describe('money', () => {
  it('knows ISO 4217 minor units: JPY 0, USD 2, KWD 3', () => {
    expect(CURRENCY_EXPONENTS).toMatchObject({ JPY: 0, KRW: 0, USD: 2, EUR: 2, GBP: 2, AUD: 2, KWD: 3, BHD: 3 });
  });

  it('formats by splitting digits, never by dividing', () => {
    expect(formatAmount(1050, 'USD')).toBe('10.50');
    expect(formatAmount(5, 'USD')).toBe('0.05');
    expect(formatAmount(123456789, 'USD')).toBe('1,234,567.89');
    expect(formatAmount(1050, 'JPY')).toBe('1,050');
    expect(formatAmount(5, 'KWD')).toBe('0.005');
    expect(formatAmount(1234567, 'KWD')).toBe('1,234.567');
    expect(formatAmount(Number.MAX_SAFE_INTEGER, 'USD')).toBe('90,071,992,547,409.91');
    expect(formatAmount(-250, 'EUR')).toBe('-2.50');
    expect(formatMoney({ amount: 99, currency: 'GBP' })).toBe('GBP 0.99');
    expect(() => formatAmount(1.5, 'USD')).toThrow(TypeError);
  });

  it('accepts positive safe integers up to the configured maximum, naming the field otherwise', () => {
    expect(parseAmount(1, 'USD', 100)).toBe(1);
    expect(parseAmount(100, 'USD', 100)).toBe(100);
    expect(errorOf(() => parseAmount(101, 'USD', 100))).toEqual({ code: 'invalid_field', param: 'amount' });
    expect(errorOf(() => parseAmount(0, 'USD', 100))).toEqual({ code: 'invalid_field', param: 'amount' });
    expect(errorOf(() => parseAmount(-1, 'USD', 100))).toEqual({ code: 'invalid_field', param: 'amount' });
    expect(errorOf(() => parseAmount(0.5, 'USD', 100))).toEqual({ code: 'invalid_field', param: 'amount' });
    expect(errorOf(() => parseAmount(2 ** 53, 'USD', Number.MAX_SAFE_INTEGER))).toEqual({ code: 'invalid_field', param: 'amount' });
    expect(errorOf(() => parseAmount(Number.NaN, 'USD', 100, 'refund.amount'))).toEqual({ code: 'invalid_field', param: 'refund.amount' });
  });

  it('accepts supported currencies in any case and answers them upper case', () => {
    expect(parseCurrency('usd')).toBe('USD');
    expect(parseCurrency('Kwd')).toBe('KWD');
    expect(errorOf(() => parseCurrency('XYZ'))).toEqual({ code: 'invalid_field', param: 'currency' });
    expect(errorOf(() => parseCurrency('__proto__'))).toEqual({ code: 'invalid_field', param: 'currency' });
    expect(parseMoney({ amount: 500, currency: 'jpy' }, 1000)).toEqual({ amount: 500, currency: 'JPY' });
  });
});
