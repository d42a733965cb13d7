import { describe, expect, it } from 'vitest';
import { cardBrand, luhnValid, normalizeCardNumber, parseCard } from '../../src/domain/card.js';
import { isTesseraError } from '../../src/domain/errors.js';
import { parseRedirectUrl, withQuery } from '../../src/domain/redirect-url.js';
import { SimulatedProcessor, TEST_CARDS } from '../../src/services/simulated-processor.js';

const NOW = Date.parse('2031-05-10T08:00:00Z');

function paramOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isTesseraError(error)) return error.param;
    throw error;
  }
  throw new Error('expected a TesseraError');
}

describe('cards', () => {
  it('checks the Luhn digit', () => {
    for (const { number } of TEST_CARDS) expect(luhnValid(number), number).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
  });

  it('tells brands apart', () => {
    expect(cardBrand('4242424242424242')).toBe('visa');
    expect(cardBrand('5555555555554444')).toBe('mastercard');
    expect(cardBrand('2223003122003222')).toBe('mastercard');
    expect(cardBrand('378282246310005')).toBe('amex');
    expect(cardBrand('6011111111111117')).toBe('discover');
    expect(cardBrand('3566002020360505')).toBe('jcb');
    expect(cardBrand('30569309025904')).toBe('diners');
    expect(cardBrand('6200000000000005')).toBe('unionpay');
    expect(cardBrand('9999999999999995')).toBe('unknown');
  });

  it('normalizes what people type', () => {
    expect(normalizeCardNumber('4242 4242-4242 4242')).toBe('4242424242424242');
    expect(normalizeCardNumber('4242x4242424242424')).toBeNull();
    expect(normalizeCardNumber('42424242')).toBeNull();
  });

  it('validates by the server clock and keeps number and expiry only', () => {
    const parsed = parseCard({ number: '4242 4242 4242 4242', expMonth: 5, expYear: 2031, cvc: '123' }, NOW);
    expect(parsed).toEqual({ card: { number: '4242424242424242', expMonth: 5, expYear: 2031 }, brand: 'visa', last4: '4242' });
    expect(paramOf(() => parseCard({ number: '4242424242424242', expMonth: 4, expYear: 2031, cvc: '123' }, NOW))).toBe('expMonth');
    expect(paramOf(() => parseCard({ number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' }, NOW))).toBe('expYear');
    expect(paramOf(() => parseCard({ number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' }, NOW))).toBe('expYear');
    expect(paramOf(() => parseCard({ number: '4242424242424241', expMonth: 12, expYear: 2032, cvc: '123' }, NOW))).toBe('number');
    expect(paramOf(() => parseCard({ number: '378282246310005', expMonth: 12, expYear: 2032, cvc: '123' }, NOW))).toBe('cvc');
    expect(parseCard({ number: '378282246310005', expMonth: 12, expYear: 2032, cvc: '1234' }, NOW).brand).toBe('amex');
  });

  it('the simulated processor is deterministic: test cards decide, others succeed', async () => {
    const processor = new SimulatedProcessor();
    const charge = (number: string) => processor.charge({ environment: 'sandbox', reference: 'pay_1', amount: 100, currency: 'USD', card: { number, expMonth: 1, expYear: 2040 } });
    expect(await charge('4242424242424242')).toEqual({ status: 'succeeded', reference: 'sim_ch_pay_1' });
    expect(await charge('4000000000000002')).toMatchObject({ status: 'failed', code: 'card_declined' });
    expect(await charge('4000000000000119')).toMatchObject({ status: 'failed', code: 'processing_error' });
    expect(await charge('4000000000000002')).toEqual(await charge('4000000000000002'));
  });
});

describe('redirect URLs', () => {
  it('HTTPS in live; http://localhost and http://127.0.0.1 too in sandbox; nothing else', () => {
    expect(parseRedirectUrl('https://shop.example/done?x=1', 'live', 'successUrl')).toBe('https://shop.example/done?x=1');
    expect(parseRedirectUrl('http://localhost:3000/done', 'sandbox', 'successUrl')).toBe('http://localhost:3000/done');
    expect(parseRedirectUrl('http://127.0.0.1/done', 'sandbox', 'successUrl')).toBe('http://127.0.0.1/done');
    expect(paramOf(() => parseRedirectUrl('http://localhost:3000/done', 'live', 'successUrl'))).toBe('successUrl');
    expect(paramOf(() => parseRedirectUrl('http://localhost.evil.example/', 'sandbox', 'cancelUrl'))).toBe('cancelUrl');
    expect(paramOf(() => parseRedirectUrl('http://127.0.0.2/', 'sandbox', 'cancelUrl'))).toBe('cancelUrl');
    expect(paramOf(() => parseRedirectUrl('javascript:alert(1)', 'sandbox', 'errorUrl'))).toBe('errorUrl');
    expect(paramOf(() => parseRedirectUrl('data:text/html,hi', 'sandbox', 'errorUrl'))).toBe('errorUrl');
    expect(paramOf(() => parseRedirectUrl('/relative', 'sandbox', 'errorUrl'))).toBe('errorUrl');
  });

  it('adds the session id to the query, keeping what was there', () => {
    expect(withQuery('https://shop.example/done?order=7', { sessionId: 'cs_1' })).toBe('https://shop.example/done?order=7&sessionId=cs_1');
  });
});
