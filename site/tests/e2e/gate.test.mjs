// The gate (docs/gate.md): an admin creates gate staff for an event; a buyer buys a half-price
// and a full-price ticket; the gate scanner — a separate Chromium whose fake camera plays a
// Y4M video of the ticket's QR — checks the first in online ("ENTRADA LIBERADA", "MEIA —
// conferir documento", the entitlement, holder and masked CPF) and then shows it as already
// used; a forged copy is refused. Offline (context.setOffline), a second scanner loads the
// event's manifest, lets the second ticket in by the QR's signature alone, counts it as waiting
// to sync, refuses the first one as already used at "Norte", and once back online sends the scan
// — the admin report counts both entries, per gate. Then a buyer transfers a half-price
// ticket from the order page. Screenshots (390×844) go to docs/img/gate-*.png.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  launch, BASE_URL, PHONE, DESKTOP, call, register, adminToken, ADMIN, createEvent, useSession, missing, waitOrder,
  uniqueEmail, PASSWORD, login,
} from './helpers.mjs';
import { y4mOfQr } from './y4m.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const IMG = resolve(here, '..', '..', '..', 'docs', 'img');
const SECTOR = 'Pista Prémium';
const work = await mkdtemp(join(tmpdir(), 'bilheteria-gate-'));
const browsers = [];
after(async () => {
  for (const b of browsers) await b.close();
  await rm(work, { recursive: true, force: true }).catch(() => {});
});

/** helpers.launch(), phone-sized, whose camera is Chromium's fake device playing `video` (a Y4M file). */
async function launchWithCamera(video) {
  const b = await launch({
    viewport: PHONE,
    permissions: ['camera'],
    args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
  browsers.push(b);
  return b;
}

/** useSession() (it waits for the header's logout button, folded into the menu on a phone), then the phone size. */
async function signIn(page, account) {
  await page.setViewportSize(DESKTOP);
  await useSession(page, account);
  await page.setViewportSize(PHONE);
}

/** A 390×844 screenshot of the page as it is, to docs/img/<name>.png. */
async function shot(page, name) {
  await mkdir(IMG, { recursive: true });
  await page.locator('.swal2-toast').first().waitFor({ state: 'detached', timeout: 6000 }).catch(() => {});
  await page.evaluate(() => { document.activeElement?.blur?.(); window.scrollTo(0, 0); });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(IMG, `${name}.png`) });
}

/** Buys one ticket (card, the local runner's test PSP) and returns it as GET /orders/{id}/tickets has it. */
async function buyOne(buyer, eventId, extra = {}) {
  const r = await call('POST', '/orders', { token: buyer.token, body: { event_id: eventId, sector: SECTOR, quantity: 1, price_type: 'full', ...extra } });
  assert.equal(r.status, 201, `reserve: ${r.status} ${JSON.stringify(r.body)}`);
  const paid = await call('POST', `/orders/${r.body.id}/pay`, { token: buyer.token, body: { method: 'card', card_number: '4111111111111111' } });
  assert.equal(paid.status, 202, `pay: ${paid.status} ${JSON.stringify(paid.body)}`);
  await waitOrder(buyer.token, r.body.id, (o) => o.status === 'paid', 90_000);
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const tk = await call('GET', `/orders/${r.body.id}/tickets`, { token: buyer.token });
    if (tk.status === 200 && tk.body?.length) return { order: r.body, ticket: tk.body[0] };
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`no ticket for order ${r.body.id}`);
}

async function gateReport(admin, eventId) {
  const r = await call('GET', `/admin/events/${eventId}/gate`, { token: admin });
  assert.equal(r.status, 200, `gate report: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function waitReport(admin, eventId, done, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    last = await gateReport(admin, eventId);
    if (done(last)) return last;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`gate report never got there: ${JSON.stringify(last)}`);
}

/** GET /tickets as a list (an array, or { tickets: [...] }). */
const listOf = (body) => (Array.isArray(body) ? body : body?.tickets || []);
const countAt = (report, gate) => (report.per_gate || []).find((g) => g.gate === gate)?.count ?? 0;
const result = (page, outcome, mode) => page.locator(`[data-testid=gate-result][data-outcome=${outcome}]${mode ? `[data-mode=${mode}]` : ''}`);

/** The same payload with one signature character changed (still canonical base64url). */
function forge(qr) {
  const i = qr.length - 12;
  return qr.slice(0, i) + (qr[i] === 'A' ? 'B' : 'A') + qr.slice(i + 1);
}

test('gate: check-in online (then already used, a forged copy refused), offline, synced; the admin report', { timeout: 6 * 60_000 }, async (t) => {
  const admin = await adminToken();
  const why = (await missing('POST', '/gate/checkins', admin, { qr: 'BLH1.AA', gate: 'Norte' }))
    || (await missing('GET', '/admin/events/000000000000000000000000/gate', admin))
    || (await missing('GET', '/gate/events/000000000000000000000000/manifest', admin))
    || (await missing('POST', '/admin/events/000000000000000000000000/gate-staff', admin, { name: 'x', email: 'x@e2e.test', password: PASSWORD }));
  if (why) { t.skip(why); return; }

  // An event, its gate staff (through the API), a buyer with a half-price and a full-price ticket.
  const ev = await createEvent(admin, { name: `Portaria E2E ${Date.now().toString(36)}`, sectors: [{ name: SECTOR, price_cents: 12000, capacity: 50 }] });
  const staff = { name: 'Porteiro Norte', email: uniqueEmail('gate'), password: PASSWORD };
  const created = await call('POST', `/admin/events/${ev.id}/gate-staff`, { token: admin, body: staff });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.role, 'gate');
  assert.equal(created.body.gate_event_id, ev.id);
  const me = await call('GET', '/me', { token: await login(staff.email, staff.password) });
  assert.equal(me.body.role, 'gate');
  assert.equal(me.body.gate_event_id, ev.id);

  const buyer = await register('gatebuyer', { name: 'João Prémium' });
  const half = (await buyOne(buyer, ev.id, { price_type: 'half', entitlement: 'student' })).ticket;
  const full = (await buyOne(buyer, ev.id)).ticket;
  for (const tk of [half, full]) {
    assert.match(tk.qr_payload, /^BLH1\.[A-Za-z0-9_-]+$/, 'a signed gate payload');
    assert.equal(tk.holder?.name, 'João Prémium');
    assert.match(tk.holder?.cpf_masked || '', /^\*\*\*\.\d{3}\.\d{3}-\*\*$/);
    assert.equal(tk.state, 'valid');
  }
  assert.equal(half.price_type, 'half');
  assert.equal(half.entitlement, 'student');
  const mine = await call('GET', '/tickets', { token: buyer.token });
  assert.equal(mine.status, 200);
  assert.deepEqual(new Set(listOf(mine.body).map((x) => x.code)), new Set([half.code, full.code]));

  const videoA = join(work, 'half.y4m');
  const videoB = join(work, 'full.y4m');
  await writeFile(videoA, y4mOfQr(half.qr_payload));
  await writeFile(videoB, y4mOfQr(full.qr_payload));

  // ---- online: the camera reads the half-price ticket -------------------------------------------
  const a = await launchWithCamera(videoA);
  const page = await a.newPage();
  await signIn(page, staff);
  // Gate staff see only the gate in the header.
  assert.deepEqual(await page.locator('#main-nav [data-nav]').evaluateAll((els) => els.map((e) => e.dataset.nav)), ['gate.html']);
  await page.goto(`${BASE_URL}/gate.html`);
  await page.getByTestId('gate-event-name').filter({ hasText: ev.name }).waitFor();
  await page.locator('[data-testid=manifest-state][data-state=ready]').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=net-state][data-state=online]').waitFor();
  await page.getByTestId('gate-name').fill('Norte');
  await page.getByTestId('camera-toggle').click();
  await result(page, 'accepted', 'online').waitFor({ timeout: 30_000 });
  const accepted = await page.getByTestId('gate-result').innerText();
  assert.match(accepted, /ENTRADA LIBERADA/i);
  assert.match(accepted, /MEIA — conferir documento/);
  assert.match(accepted, /Estudante/);
  assert.match(accepted, /João Prémium/);
  assert.match(accepted, /Pista Prémium/);
  assert.match(accepted, /\*\*\*\.\d{3}\.\d{3}-\*\*/);
  // Debian's Chromium has no BarcodeDetector for QR on Linux: jsQR (vendored) decodes.
  assert.ok(['jsqr', 'native'].includes(await page.getByTestId('camera-toggle').getAttribute('data-decoder')));
  await shot(page, 'gate-accepted');

  // "Próxima leitura": the same ticket, still in front of the camera, is already used.
  await page.getByTestId('scan-next').click();
  await result(page, 'already_used', 'online').waitFor({ timeout: 30_000 });
  const used = await page.getByTestId('result-detail').innerText();
  assert.match(used, /^Já utilizado às \d{2}:\d{2} no portão Norte$/);
  await shot(page, 'gate-used');

  // A forged copy (one signature character changed), pasted: the server refuses it.
  await page.getByTestId('manual-code').fill(forge(half.qr_payload));
  await page.getByTestId('manual-submit').click();
  await result(page, 'invalid', 'online').waitFor();
  assert.match(await page.getByTestId('gate-result').innerText(), /INGRESSO INVÁLIDO/i);
  await shot(page, 'gate-invalid');

  let report = await waitReport(admin, ev.id, (r) => r.checked_in === 1);
  assert.equal(report.issued, 2);
  assert.equal(countAt(report, 'Norte'), 1);
  assert.deepEqual(a.errors.map(String), []);
  await a.close();

  // ---- offline: a second scanner, the full-price ticket ---------------------------------------
  const b = await launchWithCamera(videoB);
  const pb = await b.newPage();
  await signIn(pb, staff);
  await pb.goto(`${BASE_URL}/gate.html`);
  await pb.locator('[data-testid=manifest-state][data-state=ready]').waitFor({ timeout: 30_000 });
  assert.ok(Number(await pb.getByTestId('manifest-state').getAttribute('data-count')) >= 2, 'the manifest lists both tickets');
  await pb.getByTestId('gate-name').fill('Sul');
  await b.context.setOffline(true);
  await pb.locator('[data-testid=net-state][data-state=offline]').waitFor();
  await pb.getByTestId('camera-toggle').click();
  await result(pb, 'accepted', 'offline').waitFor({ timeout: 30_000 });
  const offline = await pb.getByTestId('gate-result').innerText();
  assert.match(offline, /ENTRADA LIBERADA/i);
  assert.match(offline, /Validado offline/);
  assert.doesNotMatch(offline, /MEIA/);
  assert.match(offline, /João Prémium/);
  assert.equal(await pb.getByTestId('unlisted').count(), 0, 'the ticket is in the manifest: not flagged');
  await pb.locator('[data-testid=pending-count][data-value="1"]').waitFor();
  assert.match(await pb.getByTestId('pending-count').innerText(), /1 leitura aguardando sincronização/);
  await shot(pb, 'gate-offline');

  // Still offline: the half-price ticket (used at Norte, says the manifest) is refused here.
  await pb.getByTestId('manual-code').fill(half.qr_payload);
  await pb.getByTestId('manual-submit').click();
  await result(pb, 'already_used', 'offline').waitFor();
  assert.match(await pb.getByTestId('result-detail').innerText(), /^Já utilizado às \d{2}:\d{2} no portão Norte$/);
  // And a forged one by its signature alone.
  await pb.getByTestId('manual-code').fill(forge(full.qr_payload));
  await pb.getByTestId('manual-submit').click();
  await result(pb, 'invalid', 'offline').waitFor();
  assert.equal((await gateReport(admin, ev.id)).checked_in, 1, 'the server has not heard of the offline scan yet');

  // Back online: the scan is sent, the counter goes to 0, the server counts it at "Sul".
  await b.context.setOffline(false);
  await pb.locator('[data-testid=net-state][data-state=online]').waitFor({ timeout: 30_000 });
  await pb.locator('[data-testid=pending-count][data-value="0"]').waitFor({ timeout: 30_000 });
  report = await waitReport(admin, ev.id, (r) => r.checked_in === 2);
  assert.equal(countAt(report, 'Norte'), 1);
  assert.equal(countAt(report, 'Sul'), 1);
  assert.equal(report.no_shows, 0);
  assert.deepEqual(report.conflicts, []);
  await shot(pb, 'gate-synced');
  assert.deepEqual(b.errors.map(String), []);
  await b.close();

  // ---- the admin's Portaria panel: the live report and a gate login made in the console -------
  const console_ = await launch();
  browsers.push(console_);
  const ap = await console_.newPage();
  await useSession(ap, ADMIN);
  await ap.goto(`${BASE_URL}/admin.html#gate`);
  await ap.getByTestId('gate-event-pick').selectOption(ev.id);
  await ap.locator('[data-testid=gate-checked-in][data-value="2"]').waitFor({ timeout: 20_000 });
  assert.match(await ap.getByTestId('gate-per-gate').innerText(), /Norte\s+1[\s\S]*Sul\s+1|Sul\s+1[\s\S]*Norte\s+1/);
  assert.equal(await ap.getByTestId('gate-open').getAttribute('href'), `gate.html?event=${ev.id}`);
  await ap.locator('#gs-name').fill('Porteira Sul');
  await ap.locator('#gs-email').fill(uniqueEmail('gate2'));
  await ap.locator('#gs-password').fill(PASSWORD);
  await ap.getByTestId('gate-staff-submit').click();
  await ap.getByTestId('gate-staff').filter({ hasText: 'Porteira Sul' }).waitFor();
  await mkdir(IMG, { recursive: true });
  await ap.locator('.swal2-toast').first().waitFor({ state: 'detached', timeout: 6000 }).catch(() => {});
  await ap.evaluate(() => window.scrollTo(0, 0));
  await ap.screenshot({ path: join(IMG, 'gate-admin.png') });
  assert.deepEqual(console_.errors.map(String), []);
});

test('a buyer sees the holder and the half-price notice on the ticket and transfers it', { timeout: 4 * 60_000 }, async (t) => {
  const admin = await adminToken();
  const why = (await missing('POST', '/tickets/00000000000000000000000000000000/transfer', admin, { email: 'x@e2e.test' }))
    || (await missing('GET', '/tickets', admin));
  if (why) { t.skip(why); return; }
  const ev = await createEvent(admin, { sectors: [{ name: SECTOR, price_cents: 9000, capacity: 20 }] });
  const buyer = await register('giver', { name: 'Maria Doadora' });
  const friend = await register('taker', { name: 'Pedro Recebedor' });
  const { order, ticket } = await buyOne(buyer, ev.id, { price_type: 'half', entitlement: 'teacher' });

  const browser = await launch();
  browsers.push(browser);
  const page = await browser.newPage();
  await signIn(page, buyer);
  await page.goto(`${BASE_URL}/order.html?id=${order.id}`);
  const card = page.locator(`[data-testid=ticket][data-code="${ticket.code}"]`);
  await card.waitFor({ timeout: 30_000 });
  const text = await card.innerText();
  assert.match(text, /Maria Doadora/);
  assert.match(text, /\*\*\*\.\d{3}\.\d{3}-\*\*/);
  assert.match(text, /MEIA — conferir documento/);
  assert.match(text, /Professor/);
  await card.getByTestId('transfer').click();
  const dialog = page.locator('.swal2-popup:not(.swal2-toast)');
  await dialog.waitFor();
  // Herself first: refused with a clear message, the dialog stays open.
  await dialog.getByTestId('transfer-email').fill(buyer.email);
  await dialog.getByTestId('transfer-entitlement').selectOption('teacher');
  await dialog.locator('.swal2-confirm').click();
  await dialog.locator('.swal2-validation-message').filter({ hasText: /já é seu/ }).waitFor();
  await dialog.getByTestId('transfer-email').fill(friend.email);
  await dialog.locator('.swal2-confirm').click();
  const done = page.locator('.swal2-popup:not(.swal2-toast)').filter({ hasText: 'Ingresso transferido' });
  await done.waitFor({ timeout: 20_000 });
  assert.ok((await done.innerText()).includes(friend.email));
  await done.locator('.swal2-confirm').click();
  await page.locator('.swal2-container').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
  // The order page shows its tickets as they are now (the transferred one revoked, if listed).
  await page.locator(`[data-testid=ticket][data-code="${ticket.code}"][data-state=revoked]`).waitFor({ timeout: 20_000 }).catch(() => {});
  await shot(page, 'gate-transfer');

  const theirs = await call('GET', '/tickets', { token: friend.token });
  assert.equal(theirs.status, 200);
  const received = listOf(theirs.body).find((x) => x.event_id === ev.id);
  assert.ok(received, 'the recipient has a ticket for the event');
  assert.equal(received.holder?.name, 'Pedro Recebedor');
  assert.equal(received.entitlement, 'teacher');
  assert.notEqual(received.code, ticket.code);
  // The giver no longer holds it: it is not among their tickets (its old code enters nowhere).
  const old = listOf((await call('GET', '/tickets', { token: buyer.token })).body).find((x) => x.code === ticket.code);
  assert.equal(old, undefined);

  // The recipient's "Meus ingressos".
  await page.evaluate(() => fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' }));
  await signIn(page, friend);
  await page.goto(`${BASE_URL}/tickets.html`);
  await page.locator(`[data-testid=ticket][data-code="${received.code}"][data-state=valid]`).waitFor();
  assert.deepEqual(browser.errors.map(String), []);
});
