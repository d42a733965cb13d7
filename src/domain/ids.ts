import { randomBase62 } from './base62.js';

/** Typed id prefixes: an id says what it is. */
export const ID_PREFIXES = {
  account: 'acct',
  key: 'key',
  auditEvent: 'aud',
  request: 'req',
  checkoutSession: 'cs',
  cardToken: 'tok',
  payment: 'pay',
  paymentRequest: 'pr',
  refund: 're',
  cashout: 'co',
  deposit: 'dep',
  event: 'evt',
  webhookEndpoint: 'we',
  webhookDelivery: 'whd',
  user: 'usr',
  session: 'ses',
  invitation: 'inv',
  clientSecret: 'csk',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind, randomLength = 22): string {
  return `${ID_PREFIXES[kind]}_${randomBase62(randomLength)}`;
}

const ID_PATTERN = /^[a-z]+_[0-9A-Za-z]{8,64}$/;

export function looksLikeId(kind: IdKind, value: string): boolean {
  return value.startsWith(ID_PREFIXES[kind] + '_') && ID_PATTERN.test(value);
}
