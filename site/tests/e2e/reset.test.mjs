// "Esqueci minha senha": from the login page, the e-mail (the same answer whether or not an
// account exists), the link from the local mailbox, the new password twice, then the login
// page says it worked and the new password logs in; the used link, a bad link and a weak
// password are explained in the buyer's language. And the UI language is told to the server:
// at sign-up (`language` in the register body) and when a logged-in buyer switches it
// (PUT /me/language).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, BASE_URL, call, register, mailbox, missing, uniqueEmail, PASSWORD, swalText, closeSwal, useSession,
} from './helpers.mjs';

const browser = await launch();
after(() => browser.close());

const NEW_PASSWORD = 'Quiet-Orchard-Falcon-58!';

/** The newest reset link e-mailed to `email` (waits for it). */
async function resetLink(email, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    for (const m of await mailbox(email)) {
      const match = String(m.body || '').match(/(\S*reset\.html[?#]token=([^\s"'<>]+))/);
      if (match) return match[1];
    }
    await new Promise((r) => { setTimeout(r, 300); });
  }
  throw new Error(`no reset link for ${email}`);
}

test('forgot password: ask, e-mail link, new password twice, log in with it', { timeout: 3 * 60_000 }, async (t) => {
  const why = await missing('POST', '/auth/password-reset', null, { email: 'nobody@e2e.test' });
  if (why) { t.skip(why); return; }
  const buyer = await register('reset', { cpf: false });
  const page = await browser.newPage();

  await page.goto(`${BASE_URL}/login.html`);
  await page.getByTestId('forgot-password').click();
  await page.waitForURL(/\/reset\.html$/);
  await page.getByLabel('E-mail').fill(buyer.email);
  await page.getByTestId('reset-request').click();
  const sent = page.getByTestId('reset-sent');
  await sent.waitFor();
  assert.match(await sent.innerText(), new RegExp(`Se existir uma conta com ${buyer.email.replace(/[.+]/g, '\\$&')}`));

  // An address with no account gets exactly the same answer.
  await page.goto(`${BASE_URL}/reset.html`);
  await page.getByLabel('E-mail').fill(uniqueEmail('ghost'));
  await page.getByTestId('reset-request').click();
  await page.getByTestId('reset-sent').waitFor();

  // The link: new password twice (a mismatch and a weak one are explained first).
  const link = await resetLink(buyer.email);
  await page.goto(link);
  await page.getByTestId('reset-confirm').waitFor();
  assert.doesNotMatch(page.url(), /token=/, 'the token leaves the address bar');
  await page.getByLabel('Nova senha', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Repita a nova senha').fill('Something-Else-99!');
  await page.getByTestId('reset-confirm').click();
  assert.equal(await page.getByLabel('Repita a nova senha').evaluate((el) => el.validationMessage), 'As duas senhas novas não são iguais.');
  await page.getByLabel('Nova senha', { exact: true }).fill('password1');
  await page.getByLabel('Repita a nova senha').fill('password1');
  await page.getByTestId('reset-confirm').click();
  await page.getByTestId('reset-error').filter({ hasText: /Senha fraca/ }).waitFor();
  assert.doesNotMatch(await page.getByTestId('reset-error').innerText(), /HTTP|422/);
  await page.getByLabel('Nova senha', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Repita a nova senha').fill(NEW_PASSWORD);
  await page.getByTestId('reset-confirm').click();
  await page.waitForURL(/\/login\.html$/);
  await page.locator('.swal2-toast').filter({ hasText: /Senha alterada/ }).waitFor();
  assert.equal((await call('POST', '/auth/login', { body: { email: buyer.email, password: PASSWORD } })).status, 401, 'the old password is gone');
  await page.getByLabel('E-mail').fill(buyer.email);
  await page.locator('#password').fill(NEW_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/index\.html$/);
  await page.getByTestId('logout').waitFor();

  // The same link again: already used, with a way to ask for a new one.
  await page.goto(link);
  await page.getByLabel('Nova senha', { exact: true }).fill('Another-Fresh-Phrase-31!');
  await page.getByLabel('Repita a nova senha').fill('Another-Fresh-Phrase-31!');
  await page.getByTestId('reset-confirm').click();
  const used = page.getByTestId('reset-bad-link');
  await used.waitFor();
  assert.equal(await used.getAttribute('data-code'), 'reset_link_used');
  assert.match(await used.innerText(), /já foi usado/);
  await page.getByTestId('reset-again').click();
  await page.getByTestId('reset-request').waitFor();

  // A made-up token: not valid.
  await page.goto(`${BASE_URL}/reset.html#token=made-up-token`);
  await page.getByLabel('Nova senha', { exact: true }).fill('Another-Fresh-Phrase-31!');
  await page.getByLabel('Repita a nova senha').fill('Another-Fresh-Phrase-31!');
  await page.getByTestId('reset-confirm').click();
  await used.waitFor();
  assert.equal(await used.getAttribute('data-code'), 'reset_link_invalid');
  assert.match(await used.innerText(), /não é válido/);
  assert.deepEqual(browser.errors.map(String), []);
});

test('the UI language goes to the server: at sign-up and on a switch while logged in', { timeout: 2 * 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${BASE_URL}/signup.html`);
  await page.getByTestId('lang-select').selectOption('en');
  await page.waitForLoadState('load');
  await page.getByLabel('Full name').waitFor();
  const email = uniqueEmail('lang');
  await page.getByLabel('Full name').fill('Lang Buyer');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  const [registerRequest] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/auth/register')),
    page.getByTestId('signup-submit').click(),
  ]);
  assert.equal(registerRequest.postDataJSON().language, 'en');
  assert.match(await swalText(page, 30_000), /Account created|verification/i);
  await closeSwal(page);
  await page.getByTestId('logout').waitFor();

  // Switching to Portuguese while logged in tells the server (and the page reloads in pt-BR).
  const [put] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/api/v1/me/language')),
    page.getByTestId('lang-select').selectOption('pt'),
  ]);
  assert.deepEqual(put.postDataJSON(), { language: 'pt-BR' });
  await page.waitForFunction(() => document.documentElement.lang === 'pt-BR');
  await page.getByTestId('logout').waitFor();
  await page.evaluate(() => localStorage.removeItem('bilheteria.lang'));

  // A failure there does not stop the switch.
  const buyer = await register('langfail', { cpf: false, verified: false });
  const other = await browser.newPage();
  await useSession(other, buyer);
  await other.route('**/api/v1/me/language', (r) => r.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"status":503,"code":"unavailable"}' }));
  await other.getByTestId('lang-select').selectOption('en');
  await other.waitForFunction(() => document.documentElement.lang === 'en');
  await other.evaluate(() => localStorage.removeItem('bilheteria.lang'));
  assert.deepEqual(browser.errors.map(String), []);
});
