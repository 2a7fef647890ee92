// A buyer signs up (no CPF yet), reserves half-price tickets (as a student) — the site asks for the CPF and retries — tries to pay
// before verifying the e-mail (the site explains and resends the link), opens the link from the
// local mailbox, pays by PIX through the local runner's fake PSP (the order page shows the
// charge's BR Code, "Simular pagamento" has the fake PSP pay it and call the webhook) and sees
// the tickets with QR codes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, BASE_URL, call, missing, uniqueEmail, screenshots, swalText, closeSwal, PASSWORD, validCpf, mailbox,
  verificationLink, login,
} from './helpers.mjs';

const browser = await launch();
after(() => browser.close());

test('sign up → CPF asked at the reservation → e-mail verified → pay (PIX) → see tickets', { timeout: 4 * 60_000 }, async (t) => {
  const page = await browser.newPage();
  const email = uniqueEmail('pix');

  // Sign up through the form, without a CPF (it is optional there): a dialog says a
  // verification e-mail was sent, then the buyer is logged in and back where they were going.
  await page.goto(`${BASE_URL}/signup.html?next=index.html`);
  await page.getByLabel('Nome completo').fill('Maria Compradora');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Senha').fill(PASSWORD);
  await page.getByTestId('signup-submit').click();
  const signedUp = await swalText(page, 30000); // Argon2 in a debug build, on a busy machine
  assert.match(signedUp, /Conta criada/);
  assert.match(signedUp, new RegExp(`verificação para ${email.replace(/[.+]/g, '\\$&')}`));
  await closeSwal(page);
  await page.waitForURL(/\/index\.html$/);
  await page.getByTestId('logout').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'pt-BR');
  assert.equal((await mailbox(email)).length >= 1, true, 'the registration sent an e-mail');

  // The event list: prices in BRL, availability, search.
  const cards = page.getByTestId('event-card');
  await cards.first().waitFor();
  const events = (await call('GET', '/events')).body;
  const target = events.find((e) => e.status === 'active' && e.sectors.some((s) => s.available >= 2 && (s.half_available ?? s.available) >= 2));
  assert.ok(target, 'a seeded event on sale');
  await screenshots(page, 'events');
  await page.getByTestId('search').fill(target.name.slice(0, 8));
  await assert.doesNotReject(page.locator(`[data-event-id="${target.id}"]`).waitFor());
  assert.match(await page.locator(`[data-event-id="${target.id}"]`).innerText(), /R\$\s?\d{1,3}(\.\d{3})*,\d{2}/);

  // The session survives a reload (restored from the refresh cookie), and the token is nowhere
  // in web storage.
  await page.reload();
  await page.getByTestId('logout').waitFor();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.doesNotMatch(stored, /eyJ|token|bilheteria\.user/i, `no token or user in web storage: ${stored}`);

  // Buy: sector, half price, 2 tickets.
  await page.locator(`[data-event-id="${target.id}"] [data-testid=buy-link]`).click();
  await page.waitForURL(/event\.html\?id=/);
  const sector = target.sectors.find((s) => s.available >= 2 && (s.half_available ?? s.available) >= 2);
  await page.locator(`[data-testid=sector-choice][data-sector="${sector.name}"]`).click();
  await page.getByTestId('type-half').check();
  // Half price asks for the entitlement (sent with the order, printed on the ticket).
  await page.getByTestId('entitlement').selectOption('student');
  await page.getByTestId('qty').fill('2');
  await page.getByTestId('qty').blur();
  // The total is the server's quote for this selection (it arrives after a short debounce).
  const expected = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' }).format(sector.half_price_cents * 2 / 100).replace(/\s/g, ' ');
  await page.waitForFunction((want) => document.querySelector('[data-testid=total]')?.textContent.replace(/\s/g, ' ') === want, expected);
  await screenshots(page, 'purchase');
  await page.getByTestId('reserve').click();

  // No CPF yet (403 cpf_required): the site asks for it — a wrong one is refused in the dialog —
  // saves it and retries the reservation.
  const dialog = page.locator('.swal2-popup:not(.swal2-toast)');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Informe seu CPF/);
  const cpfInput = dialog.locator('input.swal2-input');
  await cpfInput.fill('123.456.789-00');
  await dialog.locator('.swal2-confirm').click();
  await dialog.locator('.swal2-validation-message').waitFor();
  assert.match(await dialog.locator('.swal2-validation-message').innerText(), /CPF inválido/);
  const cpf = validCpf();
  await cpfInput.fill(cpf.replace(/\D/g, ''));
  await dialog.locator('.swal2-confirm').click();
  await page.waitForURL(/order\.html\?id=/);
  const orderId = new URL(page.url()).searchParams.get('id');
  const token = await login(email, PASSWORD);
  assert.equal((await call('GET', '/me', { token })).body.cpf, cpf, 'the CPF was saved (formatted)');

  // The hold countdown.
  await page.getByTestId('countdown').waitFor();
  await page.waitForFunction(() => /^\d{2}:\d{2}$/.test(document.querySelector('[data-testid=countdown]')?.textContent || ''));
  await screenshots(page, 'order');

  const payMissing = await missing('POST', '/orders/000000000000000000000000/pay', token, { method: 'pix' });
  if (payMissing) { t.skip(payMissing); return; }
  const ticketsMissing = await missing('GET', `/orders/${orderId}/tickets`, token);
  if (ticketsMissing) { t.skip(ticketsMissing); return; }

  // Paying before the e-mail is verified (403 email_unverified): the site explains and offers
  // to send the link again.
  const first = await verificationLink(email);
  await page.getByTestId('method-pix').check();
  await page.getByTestId('pay').click();
  await dialog.waitFor();
  const unverified = await dialog.innerText();
  assert.match(unverified, /Confirme seu e-mail para pagar/);
  assert.ok(unverified.includes(email), 'the dialog names the address');
  await dialog.getByRole('button', { name: 'Reenviar e-mail de verificação' }).click();
  await page.locator('.swal2-toast').filter({ hasText: /novo e-mail de verificação/ }).waitFor();
  const resent = await verificationLink(email, { after: first });

  // The link from the mailbox, opened in another tab of the same browser.
  assert.match(resent.url, /\/verify\.html#token=/);
  const tab = await browser.newPage();
  await tab.goto(resent.url);
  await tab.getByTestId('verify-ok').waitFor();
  assert.match(await tab.getByTestId('verify-text').innerText(), new RegExp(email.replace(/[.+]/g, '\\$&')));
  assert.equal(new URL(tab.url()).hash, '', 'the token is taken out of the address bar');
  await tab.close();

  // Pay by PIX: the PSP's charge — its QR code and BR Code "copia e cola" — while the order
  // waits for the PSP (payment_pending). (This tab's token predates the verification: the site
  // refreshes it and pays.)
  const devPix = await fetch(`${BASE_URL}/dev/pix`, { headers: { accept: 'application/json' } });
  assert.equal(devPix.status, 200, 'GET /dev/pix: the local runner has no fake PSP (this test pays through it)');
  assert.equal((await devPix.json()).fake_psp, true);
  await page.getByTestId('pay').click();
  await page.locator('[data-testid=pix-qr] img').waitFor({ timeout: 20000 });
  await page.locator('[data-testid=order-status][data-status=payment_pending]').waitFor();
  const brCode = await page.getByTestId('pix-code').inputValue();
  assert.ok(brCode.startsWith('000201'), `a BR Code starts with the payload format indicator 000201: ${brCode}`);
  assert.match(brCode, /br\.gov\.bcb\.pix/i, 'a PIX BR Code names the br.gov.bcb.pix GUI');
  await page.getByTestId('pix-auto-update').waitFor();
  // The local-only button, kept out of the documentation's screenshots.
  const simulate = page.getByTestId('simulate-pix');
  await simulate.waitFor();
  await screenshots(page, 'pix', { before: (p) => p.getByTestId('simulate-pix').evaluate((el) => { el.style.visibility = 'hidden'; }) });
  await simulate.evaluate((el) => { el.style.visibility = ''; });

  // "Simular pagamento": the fake PSP pays the charge and calls the webhook; the page, polling
  // the order, turns to "paid" by itself.
  const pending = (await call('GET', `/orders/${orderId}`, { token })).body;
  assert.equal(pending.status, 'payment_pending');
  assert.equal(typeof pending.payment?.pix_txid, 'string', 'the order names its PIX charge (pix_txid)');
  const [sent] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/dev/pix/pay'),
    simulate.click(),
  ]);
  assert.equal(sent.status(), 200, `POST /dev/pix/pay: ${sent.status()} ${await sent.text().catch(() => '')}`);
  assert.deepEqual(sent.request().postDataJSON(), { txid: pending.payment.pix_txid });
  await page.locator('[data-testid=order-status][data-status=paid]').waitFor({ timeout: 90000 });
  await page.getByTestId('tickets-panel').waitFor();
  const tickets = page.getByTestId('ticket');
  await tickets.first().waitFor({ timeout: 30000 });
  assert.equal(await tickets.count(), 2);
  assert.ok(await tickets.first().locator('img[alt]').isVisible(), 'each ticket has a QR code');
  await screenshots(page, 'tickets');

  // My orders lists it as paid.
  await page.goto(`${BASE_URL}/orders.html`);
  await page.locator(`[data-order-id="${orderId}"] [data-status=paid]`).waitFor();
  assert.deepEqual(browser.errors.map(String), []);
});
