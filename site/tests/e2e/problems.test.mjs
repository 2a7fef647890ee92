// Refusals in the buyer's language: every problem code the server can send
// (fixtures/problem-codes.json) has a message in Portuguese and in English in the site itself,
// and a refusal on screen shows that message — never the server's English detail, never
// "(HTTP 4xx)". The per-buyer limit is not called "sold out"; a declined card is explained in
// the buyer's language, not with the issuer's English words.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  launch, BASE_URL, call, register, adminToken, createEvent, useSession, swalText, closeSwal, uniqueEmail, PASSWORD,
} from './helpers.mjs';

const browser = await launch();
after(() => browser.close());

const here = dirname(fileURLToPath(import.meta.url));
const CODES = JSON.parse(await readFile(join(here, '..', '..', '..', 'fixtures', 'problem-codes.json'), 'utf8'));
const popup = (page) => page.locator('.swal2-popup:not(.swal2-toast)');

test('every problem code has a message in pt-BR and in English, in the browser', async () => {
  const page = await browser.newPage();
  await page.goto(`${BASE_URL}/index.html`);
  const messages = await page.evaluate(async (codes) => {
    const { messageForCode, problemMessage } = await import('/js/problems.js');
    return {
      byCode: codes.map((code) => ({ code, pt: messageForCode(code, 'pt'), en: messageForCode(code, 'en') })),
      unknown4: [problemMessage({ code: 'not_a_code', status: 409 }, { lang: 'pt' }), problemMessage({ code: 'not_a_code', status: 409 }, { lang: 'en' })],
      unknown5: [problemMessage({ code: null, status: 500 }, { lang: 'pt' }), problemMessage({ code: null, status: 500 }, { lang: 'en' })],
    };
  }, CODES);
  assert.equal(messages.byCode.length, CODES.length);
  for (const { code, pt, en } of messages.byCode) {
    assert.ok(pt && pt.trim(), `pt message for ${code}`);
    assert.ok(en && en.trim(), `en message for ${code}`);
    assert.doesNotMatch(`${pt} ${en}`, /HTTP|\{\w+\}/, `${code}: no HTTP status and no placeholder left`);
    assert.notEqual(pt, en, `${code}: the two languages say it each in their own words`);
  }
  const [pt4, en4] = messages.unknown4;
  const [pt5, en5] = messages.unknown5;
  assert.match(pt4, /Confira/);
  assert.match(en4, /Check/);
  assert.match(pt5, /Erro nosso/);
  assert.match(en5, /Our fault/);
  assert.deepEqual(browser.errors.map(String), []);
});

test('a refusal on screen is the message for its code, in pt-BR and in English', { timeout: 2 * 60_000 }, async () => {
  const admin = await adminToken();
  const ev = await createEvent(admin, { name: `Limite ${Date.now().toString(36)}`, max_per_buyer: 2, sectors: [{ name: 'Pista', price_cents: 5000, capacity: 50 }] });
  const buyer = await register('limit');
  const page = await browser.newPage();
  await useSession(page, buyer);

  for (const [lang, expected, title] of [
    ['pt', /limite de ingressos por pessoa/, /Limite por pessoa atingido/],
    ['en', /per-person \(per CPF\) ticket limit/, /Per-person limit reached/],
  ]) {
    await page.evaluate((l) => localStorage.setItem('bilheteria.lang', l), lang);
    await page.goto(`${BASE_URL}/event.html?id=${ev.id}`);
    // Three tickets against a limit of two per buyer: the server's 409 buyer_limit.
    await page.getByTestId('qty').fill('3');
    await page.getByTestId('qty').blur();
    await page.getByTestId('reserve').click();
    const text = await swalText(page);
    assert.match(text, expected);
    assert.match(text, title);
    assert.doesNotMatch(text, /esgot|sold out/i, 'the per-buyer limit is not "sold out"');
    assert.doesNotMatch(text, /HTTP|409|at most \d+ tickets per buyer/, `no status, no server detail: ${text}`);
    await closeSwal(page);
  }

  // A signup refused by the server (a weak password) in English: the English message, no detail.
  const signup = await browser.newPage();
  await signup.goto(`${BASE_URL}/signup.html`);
  await signup.evaluate(() => localStorage.setItem('bilheteria.lang', 'en'));
  await signup.reload();
  await signup.getByLabel('Full name').fill('Maria Teste');
  await signup.getByLabel('E-mail').fill(uniqueEmail('weak'));
  await signup.getByLabel('Password').fill('password1');
  await signup.getByTestId('signup-submit').click();
  const weak = await swalText(signup);
  assert.match(weak, /Weak password/);
  assert.doesNotMatch(weak, /HTTP|422|zxcvbn|Server detail/i);
  await closeSwal(signup);
  // …and an unknown code is still explained by its status class.
  await signup.route('**/api/v1/auth/register', (r) => r.fulfill({
    status: 418, contentType: 'application/problem+json',
    body: JSON.stringify({ status: 418, title: 'I am a teapot', detail: 'teapot refused the brew', code: 'teapot' }),
  }));
  await signup.getByLabel('Password').fill(PASSWORD);
  await signup.getByTestId('signup-submit').click();
  const teapot = await swalText(signup);
  assert.match(teapot, /Check the details and try again/);
  assert.doesNotMatch(teapot, /teapot|HTTP|418/i);
  await closeSwal(signup);
  await signup.evaluate(() => localStorage.removeItem('bilheteria.lang'));
  await page.evaluate(() => localStorage.removeItem('bilheteria.lang'));
  assert.equal(await popup(page).count(), 0);
  assert.deepEqual(browser.errors.map(String), []);
});

test('a declined card is explained in the buyer\'s language, not in the issuer\'s words', { timeout: 2 * 60_000 }, async () => {
  const admin = await adminToken();
  const ev = await createEvent(admin, { name: `Cartão ${Date.now().toString(36)}`, sectors: [{ name: 'Pista', price_cents: 7000, capacity: 20 }] });
  const buyer = await register('declined');
  const r = await call('POST', '/orders', { token: buyer.token, body: { event_id: ev.id, sector: 'Pista', price_type: 'full', quantity: 1 } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const page = await browser.newPage();
  await useSession(page, buyer);
  await page.goto(`${BASE_URL}/order.html?id=${r.body.id}`);
  await page.getByTestId('method-card').check();
  await page.getByTestId('card-number').fill('4000000000000002'); // the fake PSP declines …0002
  await page.getByTestId('pay').click();
  const text = await swalText(page, 30_000);
  assert.match(text, /Pagamento recusado/);
  assert.match(text, /recusado pelo banco emissor/);
  assert.doesNotMatch(text, /declined by|issuer|HTTP/i);
  await closeSwal(page);
  assert.match(await page.getByTestId('declined').innerText(), /recusado pelo banco emissor/);
  assert.deepEqual(browser.errors.map(String), []);
});
