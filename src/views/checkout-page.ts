import type { Environment } from '../domain/environment.js';
import { formatMoney } from '../domain/money.js';
import type { CheckoutSession } from '../domain/payments.js';
import { effectiveSessionStatus } from './checkout-session-view.js';

export type CheckoutPageState = 'pending' | 'completed' | 'expired' | 'not_found';

export interface CheckoutPageInput {
  session: CheckoutSession | null;
  merchantName: string;
  publishableKey: string | null;
  /** `/sandbox`, `/live` or empty: the page calls the API under the prefix it was served from. */
  apiBase: string;
  urls: { success: string | null; cancel: string | null; error: string | null };
  /** Per-response CSP nonce for the one inline script and style. */
  nonce: string;
  now: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside a <script type="application/json">: nothing in it may close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function checkoutPageState(input: Pick<CheckoutPageInput, 'session' | 'now'>): CheckoutPageState {
  return input.session === null ? 'not_found' : effectiveSessionStatus(input.session, input.now);
}

/** The Content-Security-Policy of the page: its own nonce'd script and style, API calls to its own origin only, no framing. */
export function checkoutPageCsp(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`;
}

const STYLE = `
:root { color-scheme: light; --ink: #1a1f36; --muted: #4f566b; --line: #c1c9d2; --accent: #3a3fd8; --bad: #b3261e; --good: #1b7a3d; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f8fa; }
main { max-width: 28rem; margin: 2rem auto; padding: 2rem; background: #fff; border: 1px solid var(--line); border-radius: 12px; }
.sandbox { margin: 0 0 1rem; padding: .5rem .75rem; background: #fff4ce; border: 1px solid #e0c36a; border-radius: 8px; font-size: .875rem; }
.merchant { margin: 0; color: var(--muted); font-size: .95rem; }
h1 { margin: .25rem 0 0; font-size: 2rem; }
.description { margin: .25rem 0 1.5rem; color: var(--muted); }
label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
input { width: 100%; padding: .65rem .75rem; font: inherit; border: 1px solid var(--line); border-radius: 8px; }
input:focus, button:focus, a:focus { outline: 3px solid var(--accent); outline-offset: 2px; }
input[aria-invalid="true"] { border-color: var(--bad); }
.row { display: flex; gap: 1rem; } .row > div { flex: 1; }
button { width: 100%; margin-top: 1.5rem; padding: .8rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 8px; cursor: pointer; }
button[disabled] { opacity: .7; cursor: progress; }
.error { min-height: 1.5rem; margin: 1rem 0 0; color: var(--bad); font-weight: 600; }
.cancel { display: inline-block; margin-top: 1rem; color: var(--muted); }
.notice h2 { margin: 1rem 0 .5rem; } .notice.good h2 { color: var(--good); }
`;

const SCRIPT = `
(function () {
  var config = JSON.parse(document.getElementById('checkout-config').textContent);
  var form = document.getElementById('checkout-form');
  var errorBox = document.getElementById('checkout-error');
  var button = document.getElementById('pay-button');
  var fields = { number: document.getElementById('card-number'), expiry: document.getElementById('card-expiry'), cvc: document.getElementById('card-cvc') };
  var FIELD_OF = { number: 'number', expMonth: 'expiry', expYear: 'expiry', cvc: 'cvc' };

  window.addEventListener('pageshow', function (event) { if (event.persisted) window.location.reload(); });

  function show(state) {
    document.body.setAttribute('data-state', state);
    var panels = document.querySelectorAll('[data-panel]');
    for (var i = 0; i < panels.length; i++) panels[i].hidden = panels[i].getAttribute('data-panel') !== state;
    var heading = document.querySelector('[data-panel="' + state + '"] h2');
    if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
  }
  function fail(message, param) {
    for (var name in fields) fields[name].removeAttribute('aria-invalid');
    var field = fields[FIELD_OF[param]];
    if (field) { field.setAttribute('aria-invalid', 'true'); field.focus(); }
    errorBox.textContent = message;
    busy(false);
  }
  function busy(on) {
    button.disabled = on;
    button.setAttribute('aria-busy', on ? 'true' : 'false');
    button.textContent = on ? 'Processing…' : button.getAttribute('data-label');
  }
  function parseExpiry(text) {
    var digits = text.replace(/[^0-9]/g, '');
    if (digits.length === 4) return { month: Number(digits.slice(0, 2)), year: 2000 + Number(digits.slice(2)) };
    if (digits.length === 6) return { month: Number(digits.slice(0, 2)), year: Number(digits.slice(2)) };
    return null;
  }
  function post(path, body, key) {
    var headers = { 'content-type': 'application/json' };
    if (key) headers.authorization = 'Bearer ' + key;
    return fetch(config.apiBase + path, { method: 'POST', headers: headers, body: JSON.stringify(body), credentials: 'omit' }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, body: json }; });
    });
  }

  if (!form) return;
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    errorBox.textContent = '';
    var expiry = parseExpiry(fields.expiry.value);
    if (expiry === null) return fail('Enter the expiry date as MM / YY.', 'expMonth');
    busy(true);
    post('/v1/tokens', { number: fields.number.value, expMonth: expiry.month, expYear: expiry.year, cvc: fields.cvc.value.trim() }, config.publishableKey)
      .then(function (token) {
        if (!token.ok) return fail(token.body.error.message, token.body.error.param);
        return post('/v1/checkout/sessions/' + encodeURIComponent(config.sessionId) + '/complete', { token: token.body.id }).then(function (result) {
          if (result.ok) {
            show('paid');
            if (result.body.redirectUrl) window.location.replace(result.body.redirectUrl);
            return;
          }
          var code = result.body.error.code;
          if (code === 'checkout_session_completed') return show('completed');
          if (code === 'checkout_session_expired') return show('expired');
          if (code === 'processing_error' && config.urls.error) return window.location.replace(config.urls.error);
          fields.cvc.value = '';
          fail(result.body.error.message, code === 'card_declined' ? 'number' : undefined);
        });
      })
      .catch(function () { fail('The payment could not be sent: check your connection and try again. You were not charged.'); });
  });
})();
`;

/**
 * The hosted checkout page: a plain, accessible form. Card data goes from
 * the browser straight to POST /v1/tokens with the account's publishable key;
 * the token then completes the session. The merchant's server never sees it.
 */
export function renderCheckoutPage(input: CheckoutPageInput): string {
  const state = checkoutPageState(input);
  const session = input.session;
  const merchant = escapeHtml(input.merchantName);
  const amount = session === null ? '' : escapeHtml(formatMoney(session));
  const environment: Environment | null = session?.environment ?? null;
  const title = session === null ? 'Checkout not found' : `Pay ${input.merchantName} · ${formatMoney(session)}`;
  const config = { sessionId: session?.id ?? null, publishableKey: state === 'pending' ? input.publishableKey : null, apiBase: input.apiBase, urls: input.urls };
  const panel = (name: string, body: string) => `<section data-panel="${name}"${state === name ? '' : ' hidden'}>${body}</section>`;
  const cancelLink = (id: string, text: string) => (input.urls.cancel === null ? '' : `<a class="cancel" id="${id}" href="${escapeHtml(input.urls.cancel)}">${text}</a>`);
  const cancel = cancelLink('cancel-link', `Cancel and return to ${merchant}`);
  const payLabel = `Pay ${amount}`;
  const form = `
      <form id="checkout-form" method="post" novalidate aria-describedby="checkout-error">
        <label for="card-number">Card number</label>
        <input id="card-number" name="cardnumber" autocomplete="cc-number" inputmode="numeric" maxlength="23" placeholder="1234 1234 1234 1234" required>
        <div class="row">
          <div><label for="card-expiry">Expiry date</label>
          <input id="card-expiry" name="exp-date" autocomplete="cc-exp" inputmode="numeric" maxlength="9" placeholder="MM / YY" required></div>
          <div><label for="card-cvc">Security code</label>
          <input id="card-cvc" name="cvc" autocomplete="cc-csc" inputmode="numeric" maxlength="4" placeholder="CVC" required></div>
        </div>
        <button id="pay-button" type="submit" data-label="${payLabel}">${payLabel}</button>
        <p id="checkout-error" class="error" role="alert" aria-live="assertive"></p>
      </form>
      ${cancel}
      <noscript><p>This payment page needs JavaScript to send your card securely.</p></noscript>`;
  const paid = input.urls.success === null ? '<p>Thank you. You may close this page.</p>' : '<p>Thank you. Taking you back to the merchant…</p>';
  const summary =
    session === null
      ? ''
      : `<p class="merchant">${merchant}</p>
      <h1 id="amount">${amount}</h1>
      ${session.description === null ? '' : `<p class="description">${escapeHtml(session.description)}</p>`}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style nonce="${input.nonce}">${STYLE}</style>
</head>
<body data-state="${state}">
<main aria-labelledby="amount">
  ${environment === 'sandbox' ? '<p class="sandbox" role="note"><strong>Sandbox</strong>: no money moves. Pay with test card 4242 4242 4242 4242, any future expiry, any 3-digit code.</p>' : ''}
  ${summary}
  ${panel('pending', form)}
  ${panel('paid', `<div class="notice good"><h2>Payment received</h2>${paid}</div>`)}
  ${panel('completed', '<div class="notice good"><h2>Already paid</h2><p>This checkout is already paid. There is nothing more to do; you were not charged again.</p></div>')}
  ${panel('expired', `<div class="notice"><h2>This checkout has expired</h2><p>Checkout sessions last 30 minutes and this one can no longer be paid. Return to ${merchant} to start again.</p>${cancelLink('expired-return-link', `Return to ${merchant}`)}</div>`)}
  ${panel('not_found', '<div class="notice"><h2 id="amount">Checkout not found</h2><p>This checkout link is not valid. Check the address, or return to the merchant.</p></div>')}
</main>
<script type="application/json" id="checkout-config">${scriptJson(config)}</script>
<script nonce="${input.nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
