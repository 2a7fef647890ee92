// The admin console's pure parts: the sales chart's continuous time axis, the editor's dates
// read in the event's time zone, and the audit log's filters.
//   node --test site/tests/unit/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillSeries, SCALES } from '../../src/js/admin/sales-chart.js';
import { toZoneInput, fromZoneInput, zoneCity, ZONES } from '../../src/js/admin/tz.js';
import { entryEvent, applyFilters } from '../../src/js/admin/audit-filter.js';

const MIN = 60_000;

test('the per-minute series has one point per minute, zero where the server sent none', () => {
  const end = Date.parse('2026-05-10T14:30:42Z');
  const sent = [
    { at: '2026-05-10T14:02:00Z', tickets: 3, revenue_cents: 36000 },
    { at: '2026-05-10T14:30:00Z', tickets: 1, revenue_cents: 12000 },
    { at: '2026-05-10T12:00:00Z', tickets: 9, revenue_cents: 1 }, // outside the hour: left out
  ];
  const points = fillSeries(sent, { unit: MIN, count: 60, end });
  assert.equal(points.length, 60);
  for (let i = 1; i < points.length; i += 1) assert.equal(points[i].at - points[i - 1].at, MIN, `step at ${i}`);
  assert.equal(new Date(points.at(-1).at).toISOString(), '2026-05-10T14:30:00.000Z', 'ends at the current minute');
  assert.equal(new Date(points[0].at).toISOString(), '2026-05-10T13:31:00.000Z');
  const at = (iso) => points.find((p) => p.at === Date.parse(iso));
  assert.deepEqual(at('2026-05-10T14:02:00Z'), { at: Date.parse('2026-05-10T14:02:00Z'), tickets: 3, revenue_cents: 36000 });
  assert.equal(at('2026-05-10T14:03:00Z').tickets, 0);
  assert.equal(points.reduce((s, p) => s + p.tickets, 0), 4);
});

test('the per-day series covers 30 UTC days', () => {
  const s = SCALES.day;
  const points = fillSeries([{ at: '2026-05-01T00:00:00Z', tickets: 7, revenue_cents: 700 }], { unit: s.unit, count: s.count, end: Date.parse('2026-05-10T23:59:00Z') });
  assert.equal(points.length, 30);
  assert.ok(points.every((p, i) => i === 0 || p.at - points[i - 1].at === 86_400_000));
  assert.equal(points.find((p) => p.tickets === 7).at, Date.parse('2026-05-01T00:00:00Z'));
});

test('editor dates are wall-clock times of the event zone, whatever the computer’s zone', () => {
  // 20:30 in Manaus (UTC−4) is 00:30 UTC the next day; in São Paulo (UTC−3) 23:30 UTC.
  assert.equal(fromZoneInput('2026-12-12T20:30', 'America/Manaus'), '2026-12-13T00:30:00.000Z');
  assert.equal(fromZoneInput('2026-12-12T20:30', 'America/Sao_Paulo'), '2026-12-12T23:30:00.000Z');
  assert.equal(fromZoneInput('2026-12-12T20:30', 'America/Noronha'), '2026-12-12T22:30:00.000Z');
  assert.equal(fromZoneInput('2026-12-12T20:30', 'UTC'), '2026-12-12T20:30:00.000Z');
  assert.equal(toZoneInput('2026-12-13T00:30:00Z', 'America/Manaus'), '2026-12-12T20:30');
  assert.equal(toZoneInput('2026-12-13T00:30:00Z', 'America/Rio_Branco'), '2026-12-12T19:30');
  // Round trips in every zone offered.
  for (const z of ZONES) assert.equal(toZoneInput(fromZoneInput('2027-01-31T23:59', z), z), '2027-01-31T23:59', z);
  assert.equal(fromZoneInput('', 'UTC'), null);
  assert.equal(fromZoneInput('not a date', 'UTC'), null);
  assert.equal(zoneCity('America/Sao_Paulo'), 'São Paulo');
  assert.equal(zoneCity('America/Porto_Velho'), 'Porto Velho');
});

test('audit filters: the server’s filtering is trusted, an unfiltered answer is filtered here', () => {
  const A = 'a'.repeat(24);
  const B = 'b'.repeat(24);
  const entries = [
    { at: '2026-05-10T10:00:00Z', action: 'event.create', target: A },
    { at: '2026-05-10T12:00:00Z', action: 'event.pause', target: A },
    { at: '2026-05-10T11:00:00Z', action: 'event.create', target: B },
    { at: '2026-05-10T13:00:00Z', action: 'user.create_gate_staff', target: 'u1', after: { gate_event_id: B } },
    { at: '2026-05-10T09:00:00Z', action: 'user.create_admin', target: 'u2', after: { email: 'x@y' } },
  ];
  assert.equal(entryEvent(entries[3]), B);
  assert.equal(entryEvent(entries[4]), null);
  // Unfiltered answer: only B's entries, newest first.
  assert.deepEqual(applyFilters(entries, { event: B }).map((e) => e.at), ['2026-05-10T13:00:00Z', '2026-05-10T11:00:00Z']);
  assert.deepEqual(applyFilters(entries, { action: 'event.create' }).map((e) => e.target), [B, A]);
  assert.deepEqual(applyFilters(entries, { event: A, action: 'event.pause' }).map((e) => e.action), ['event.pause']);
  // A server that filtered by event may add entries the console cannot place (a transfer): kept.
  const filtered = [entries[1], { at: '2026-05-10T12:30:00Z', action: 'ticket.transfer', target: 'slot-1' }];
  assert.equal(applyFilters(filtered, { event: A }).length, 2);
  assert.deepEqual(applyFilters(entries, {}).map((e) => e.at), [...entries].map((e) => e.at).sort().reverse());
});
