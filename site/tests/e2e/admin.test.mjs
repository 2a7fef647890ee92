// The admin creates an event with two sectors through the console; buyers see it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, screenshots, swalText, closeSwal } from './helpers.mjs';

const browser = await launch();
after(() => browser.close());

test('admin creates an event with two sectors in the console and buyers see it', async () => {
  const page = await browser.newPage();
  await page.goto(`${BASE_URL}/login.html?next=admin.html%23events`);
  await page.getByLabel('E-mail').fill(ADMIN_EMAIL);
  await page.getByLabel('Senha').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/admin\.html/);
  await page.getByRole('tab', { name: 'Eventos' }).click();

  const name = `Concerto E2E ${Date.now().toString(36)}`;
  const when = new Date(Date.now() + 40 * 86400e3);
  const p = (n) => String(n).padStart(2, '0');
  await page.getByLabel('Nome do evento').fill(name);
  await page.getByLabel('Descrição').fill('Criado pelo console administrativo.');
  await page.getByLabel('Local').fill('Teatro Municipal, São Paulo');
  await page.getByLabel('Data e hora de início').fill(`${when.getFullYear()}-${p(when.getMonth() + 1)}-${p(when.getDate())}T20:30`);
  const sectors = page.getByTestId('sector-editor');
  await sectors.nth(0).getByLabel('Nome do setor').fill('Plateia');
  await sectors.nth(0).getByLabel('Preço (R$)').fill('150,00');
  await sectors.nth(0).getByLabel('Capacidade').fill('300');
  await page.getByTestId('add-sector').click();
  await sectors.nth(1).getByLabel('Nome do setor').fill('Frisa');
  await sectors.nth(1).getByLabel('Preço (R$)').fill('1.234,56');
  await sectors.nth(1).getByLabel('Capacidade').fill('40');
  await screenshots(page, 'admin-editor');
  await page.getByTestId('save-event').click();
  assert.match(await swalText(page), /Evento criado/);
  await closeSwal(page);

  // Buyers see it with both sectors and their prices.
  const buyer = await browser.newPage();
  // (A visitor: the admin's session — the shared refresh cookie — is ended first.)
  await buyer.goto(`${BASE_URL}/index.html`);
  await buyer.evaluate(() => fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' }));
  await buyer.reload();
  await buyer.getByTestId('nav-login').waitFor();
  await buyer.getByTestId('search').fill(name);
  const card = buyer.getByTestId('event-card').filter({ hasText: name });
  await card.waitFor();
  assert.equal(await card.getByTestId('sector-row').count(), 2);
  const text = await card.innerText();
  assert.match(text, /Plateia/);
  assert.match(text, /Frisa/);
  assert.match(text, /R\$\s1\.234,56/);
  assert.match(text, /R\$\s617,28/, 'half price');
  assert.match(text, /Teatro Municipal/);
  assert.deepEqual(browser.errors.map(String), []);
});
