// The waiting room's browser side (src/js/waiting-room.js): what is kept per event and per
// account, and the figures the waiting page shows (people ahead, the wait, the progress, the stock).
//   node --test site/tests/unit/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  storedPlace, keepPlace, dropPlace, storedAdmission, keepAdmission, dropAdmission, placeKey, admissionKey,
  waitFigures, etaText, stockState,
} from '../../src/js/waiting-room.js';
import { translate } from '../../src/js/i18n.js';

/** A localStorage stand-in. */
function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => { m.set(k, String(v)); },
    removeItem: (k) => { m.delete(k); },
    raw: m,
  };
}

const EV = 'a'.repeat(24);
const OTHER = 'b'.repeat(24);

test('the place is kept per event and per account; another account does not pick it up', () => {
  const s = memoryStorage();
  keepPlace(EV, 'u1', { place: 12, arrival: 40, drawn: true, opens_at: '2026-12-07T20:00:00Z', token: 'pt-1' }, s);
  assert.deepEqual(storedPlace(EV, 'u1', s), { user: 'u1', token: 'pt-1', place: 12, arrival: 40, drawn: true, opens_at: '2026-12-07T20:00:00Z' });
  assert.equal(storedPlace(EV, 'u2', s), null, 'another account');
  assert.equal(storedPlace(OTHER, 'u1', s), null, 'another event');
  assert.equal(storedPlace(EV, null, s), null, 'nobody logged in');
  // Before the draw: no place yet.
  keepPlace(OTHER, 'u1', { place: null, arrival: 3, drawn: false, opens_at: '2026-12-07T20:00:00Z', token: 'pt-2' }, s);
  assert.equal(storedPlace(OTHER, 'u1', s).place, null);
  assert.equal(storedPlace(OTHER, 'u1', s).drawn, false);
  dropPlace(EV, s);
  assert.equal(storedPlace(EV, 'u1', s), null);
  assert.ok(s.raw.has(placeKey(OTHER)));
  // Garbage in storage is ignored.
  s.setItem(placeKey(EV), '{not json');
  assert.equal(storedPlace(EV, 'u1', s), null);
});

test('an admission counts until shortly before it expires, then it is dropped', () => {
  const s = memoryStorage();
  const now = Date.parse('2026-12-07T20:05:00Z');
  keepAdmission(EV, 'u1', { admission_token: 'adm-1', expires_at: '2026-12-07T20:15:00Z' }, s);
  assert.equal(storedAdmission(EV, 'u1', s, now).admission_token, 'adm-1');
  assert.equal(storedAdmission(EV, 'u2', s, now), null, 'another account');
  assert.equal(storedAdmission(EV, 'u1', s, Date.parse('2026-12-07T20:14:59Z')), null, 'too close to its end');
  assert.equal(s.raw.has(admissionKey(EV)), false, 'an expired admission is removed');
  keepAdmission(EV, 'u1', { admission_token: 'adm-2', expires_at: 'not a date' }, s);
  assert.equal(storedAdmission(EV, 'u1', s, now), null);
  keepAdmission(EV, 'u1', { admission_token: 'adm-3', expires_at: '2026-12-07T20:15:00Z' }, s);
  dropAdmission(EV, s);
  assert.equal(storedAdmission(EV, 'u1', s, now), null);
});

test('people ahead, the rate, the wait and the progress', () => {
  // 1,234th with 1,000 served, admitting 540 a minute: 234 ahead, under half a minute.
  let f = waitFigures(1234, { serving: 1000, admitting_per_minute: 540, rate_per_minute: 600 });
  assert.equal(f.ahead, 234);
  assert.equal(f.perMinute, 540);
  assert.ok(Math.abs(f.minutes - 234 / 540) < 1e-9);
  assert.equal(f.percent, 81);
  assert.equal(f.turn, false);
  // Nothing admitted in the last minute: the set rate.
  f = waitFigures(5000, { serving: 0, admitting_per_minute: 0, rate_per_minute: 100 });
  assert.equal(f.perMinute, 100);
  assert.equal(f.minutes, 50);
  assert.equal(f.percent, 0);
  // Reached (or passed): no one ahead, the turn.
  f = waitFigures(7, { serving: 9, admitting_per_minute: 60 });
  assert.deepEqual([f.ahead, f.minutes, f.percent, f.turn], [0, 0, 100, true]);
  // No rate at all: the wait cannot be told.
  assert.equal(waitFigures(10, { serving: 2 }).minutes, null);
  // No place yet (before the draw).
  assert.equal(waitFigures(null, { serving: 2 }).ahead, null);
});

test('the wait in words: under a minute, minutes, hours, unknown — in both languages', () => {
  assert.equal(etaText(0).key, 'queue.etaNow');
  assert.equal(etaText(0.4).key, 'queue.etaUnderMinute');
  assert.deepEqual(etaText(1.2), { key: 'queue.etaMinutes', vars: { n: 2 } });
  assert.deepEqual(etaText(59.5), { key: 'queue.etaMinutes', vars: { n: 60 } });
  assert.deepEqual(etaText(125), { key: 'queue.etaHours', vars: { h: 2, m: 5 } });
  assert.equal(etaText(null).key, 'queue.etaUnknown');
  assert.equal(translate('pt', etaText(0.4).key), 'menos de um minuto');
  assert.equal(translate('en', etaText(0.4).key), 'under a minute');
  for (const lang of ['pt', 'en']) {
    for (const m of [null, 0, 0.5, 3, 90]) {
      const { key, vars } = etaText(m);
      const text = translate(lang, key, vars);
      assert.ok(text && !/\{\w+\}/.test(text), `${lang} ${key}: ${text}`);
    }
  }
});

test('the stock: sold out as soon as the status says so or every sector is out', () => {
  const pista = (available) => ({ id: 'pista', name: 'Pista', available });
  assert.equal(stockState(null), 'open');
  assert.equal(stockState({ sold_out: false, can_serve: true, sectors: [pista(true)] }), 'open');
  assert.equal(stockState({ sold_out: true, holds_pending: true, sectors: [pista(false)] }), 'sold_out');
  assert.equal(stockState({ sold_out: false, holds_pending: true, sectors: [pista(false), { ...pista(false), id: 'vip' }] }), 'sold_out');
  assert.equal(stockState({ sold_out: false, can_serve: false, sectors: [pista(true)] }), 'claimed');
});
