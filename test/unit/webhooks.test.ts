import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { subscribes, unknownSubscriptions } from '../../src/domain/event-types.js';
import { classifyAddress } from '../../src/domain/network-address.js';
import { generateWebhookSecret, signWebhook, webhookHeaders, webhookSecretKey } from '../../src/domain/signatures/standard-webhooks.js';
import { MAX_ATTEMPTS, nextRetryAt, RETRY_DELAYS_MS } from '../../src/domain/webhook.js';
import { checkTargetAddresses, parseWebhookUrl } from '../../src/domain/webhook-url.js';
import { eventBody, eventView } from '../../src/views/webhook-view.js';

describe('address classes (SSRF)', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.100.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['192.0.0.192', 'metadata'],
    ['169.254.1.1', 'link_local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.51.100.1', 'reserved'],
    ['203.0.113.5', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['::8.8.8.8', 'reserved'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['64:ff9b:1::1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:808:808::1', 'public'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001::200e', 'public'],
  ];
  for (const [address, expected] of cases) {
    it(`${address} is ${expected}`, () => expect(classifyAddress(address)).toBe(expected));
  }
  it('anything else is not an address', () => {
    for (const text of ['', 'localhost', '1.2.3', '1.2.3.256', ':::1', 'example.com']) expect(classifyAddress(text)).toBeNull();
  });
});

describe('webhook URL rules', () => {
  const target = (url: string) => {
    const parsed = parseWebhookUrl(url);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.value;
  };

  it('URLs that name addresses in other spellings are normalized before the check', () => {
    expect(target('https://2130706433/x').hostname).toBe('127.0.0.1');
    expect(target('https://0x7f.0.0.1/x').hostname).toBe('127.0.0.1');
    expect(target('https://[::ffff:127.0.0.1]/x').hostname).toBe('::ffff:7f00:1');
    expect(target('https://[::ffff:127.0.0.1]/x').literal).toBe(true);
  });

  it('live: https to public addresses only; every resolved address must pass', () => {
    const t = target('https://hooks.example.com/x');
    expect(checkTargetAddresses(t, ['93.184.216.34'], 'live', 'loopback').ok).toBe(true);
    expect(checkTargetAddresses(t, ['93.184.216.34', '10.0.0.1'], 'live', 'private').ok).toBe(false);
    expect(checkTargetAddresses(t, ['127.0.0.1'], 'live', 'private').ok).toBe(false);
    expect(checkTargetAddresses(t, [], 'live', 'loopback').ok).toBe(false);
    expect(checkTargetAddresses(target('http://hooks.example.com/x'), ['93.184.216.34'], 'live', 'loopback').ok).toBe(false);
  });

  it('sandbox: TESSERA_WEBHOOK_SANDBOX_TARGETS decides which non-public targets are allowed; link-local and metadata never', () => {
    const local = target('http://localhost:3000/x');
    expect(checkTargetAddresses(local, ['127.0.0.1', '::1'], 'sandbox', 'loopback').ok).toBe(true);
    expect(checkTargetAddresses(local, ['127.0.0.1'], 'sandbox', 'public').ok).toBe(false);
    const lan = target('http://192.168.1.20:3000/x');
    expect(checkTargetAddresses(lan, ['192.168.1.20'], 'sandbox', 'loopback').ok).toBe(false);
    expect(checkTargetAddresses(lan, ['192.168.1.20'], 'sandbox', 'private').ok).toBe(true);
    for (const mode of ['loopback', 'private', 'public'] as const) {
      expect(checkTargetAddresses(target('http://169.254.169.254/'), ['169.254.169.254'], 'sandbox', mode).ok).toBe(false);
      expect(checkTargetAddresses(target('http://[fe80::1]/'), ['fe80::1'], 'sandbox', mode).ok).toBe(false);
    }
    // Plain http to the public internet is refused in sandbox too.
    expect(checkTargetAddresses(target('http://hooks.example.com/'), ['93.184.216.34'], 'sandbox', 'private').ok).toBe(false);
    expect(checkTargetAddresses(target('https://hooks.example.com/'), ['93.184.216.34'], 'sandbox', 'public').ok).toBe(true);
  });
});

describe('Standard Webhooks signatures', () => {
  it('secrets are whsec_ and 32 random bytes; signatures match the standardwebhooks library', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_/);
    expect(webhookSecretKey(secret)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
    const body = JSON.stringify({ type: 'key.created', data: { emoji: '🔑', text: 'naïve' } });
    const timestamp = 1_700_000_000;
    const library = new Webhook(secret);
    expect(signWebhook(webhookSecretKey(secret), 'evt_1', timestamp, body)).toBe(library.sign('evt_1', new Date(timestamp * 1000), body));
  });

  it('during a rotation both secrets sign, space-separated, current first', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = webhookHeaders([webhookSecretKey(a), webhookSecretKey(b)], 'evt_2', 1_700_000_000, '{}');
    expect(headers['webhook-id']).toBe('evt_2');
    expect(headers['webhook-timestamp']).toBe('1700000000');
    const [first, second] = headers['webhook-signature'].split(' ');
    expect(first).toBe(signWebhook(webhookSecretKey(a), 'evt_2', 1_700_000_000, '{}'));
    expect(second).toBe(signWebhook(webhookSecretKey(b), 'evt_2', 1_700_000_000, '{}'));
  });
});

describe('retry schedule', () => {
  it("is Standard Webhooks' recommendation: 8 attempts over about 27.6 hours", () => {
    expect(MAX_ATTEMPTS).toBe(8);
    expect(RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)).toBe(5_000 + 300_000 + 1_800_000 + 7_200_000 + 18_000_000 + 36_000_000 + 36_000_000);
    expect(nextRetryAt(1, 0, 0.5)).toBe(5_000);
    expect(nextRetryAt(1, 0, 0)).toBe(4_500);
    expect(nextRetryAt(1, 0, 0.999999)).toBe(5_500);
    expect(nextRetryAt(7, 1000, 0.5)).toBe(36_001_000);
    expect(nextRetryAt(8, 0, 0.5)).toBeNull();
  });
});

describe('event subscriptions', () => {
  it('`*`, exact types and prefix wildcards', () => {
    expect(subscribes(['*'], 'key.created')).toBe(true);
    expect(subscribes(['key.*'], 'key.created')).toBe(true);
    expect(subscribes(['key.*'], 'keys.created')).toBe(false);
    expect(subscribes(['checkout.*'], 'checkout.session.completed')).toBe(true);
    expect(subscribes(['key.deleted'], 'key.created')).toBe(false);
    expect(unknownSubscriptions(['*', 'key.*', 'key.created', 'checkout.session.*'])).toEqual([]);
    expect(unknownSubscriptions(['key.teleported', 'nothing.*', '**', 'key'])).toEqual(['key.teleported', 'nothing.*', '**', 'key']);
  });

  it('the delivered body is byte for byte the event as the API shows it', () => {
    const event = { id: 'evt_x', accountId: 'acct_y', environment: 'live' as const, type: 'key.created', data: { object: { id: 'key_z', name: 'ünïcode "quoted"' } }, createdAt: 1_700_000_000_123 };
    expect(eventBody({ ...event, dataJson: JSON.stringify(event.data) })).toBe(JSON.stringify(eventView(event)));
  });
});
