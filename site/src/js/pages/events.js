// index.html — the event list: search, prices (full / half), live availability. The "live"
// line says honestly when the list could not be refreshed (grey / red dot); a failed first
// load shows the reason and a retry button instead of an empty page.
import { api } from '../api.js';
import { t, money, timeOnly } from '../i18n.js';
import { initPage, $, h, mount, availabilityBadge, every, eventImage, problemText } from '../ui.js';
import { icon, liveDot, spinner } from '../dom.js';
import { EVENTS_REFRESH_MS } from '../config.js';
import { isOutage, onReconnect, onConnectionChange } from '../connection.js';
import { eventDateTime } from '../event-time.js';

let events = null;
let lastError = null;

function matches(ev, q) {
  if (!q) return true;
  const norm = (s) => String(s || '').normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
  const needle = norm(q);
  return norm(ev.name).includes(needle) || norm(ev.venue).includes(needle);
}

function price(label, cents) {
  return h('span', { class: 'whitespace-nowrap' }, label, ' ', h('span', { class: 'font-medium text-slate-700' }, money(cents)));
}

function sectorRow(ev, s) {
  return h('li', { class: 'flex items-center justify-between gap-3 py-2', dataset: { testid: 'sector-row', sector: s.name } },
    h('div', { class: 'min-w-0' },
      h('p', { class: 'truncate text-sm font-semibold text-slate-800' }, s.name),
      h('p', { class: 'text-xs text-slate-600' },
        price(t('events.full'), s.price_cents), ' · ',
        price(t('events.half'), s.half_price_cents ?? Math.round(s.price_cents / 2)))),
    availabilityBadge(s, ev.status, 'shrink-0'));
}

function card(ev) {
  const allSold = ev.sectors?.length && ev.sectors.every((s) => Number(s.available) <= 0);
  return h('article', { class: 'card flex flex-col overflow-hidden transition hover:-translate-y-0.5 hover:shadow-md', dataset: { testid: 'event-card', eventId: ev.id } },
    h('div', { class: 'relative' },
      eventImage(ev),
      ev.status === 'paused' ? h('span', { class: 'badge-slate absolute left-3 top-3 shadow' }, t('avail.paused')) : null,
      ev.status === 'cancelled' || ev.status === 'cancelling' ? h('span', { class: 'badge-red absolute left-3 top-3 shadow', dataset: { testid: 'card-cancelled' } }, t('avail.cancelled')) : null,
      allSold ? h('span', { class: 'badge-red absolute right-3 top-3 shadow' }, t('avail.soldout')) : null),
    h('div', { class: 'flex flex-1 flex-col p-5' },
      h('p', { class: 'text-xs font-semibold uppercase tracking-wide text-brand-700' }, h('time', { datetime: ev.starts_at }, eventDateTime(ev.starts_at, ev.time_zone, 'full'))),
      h('h2', { class: 'mt-1 text-lg font-bold leading-snug text-slate-900', dataset: { testid: 'event-title' } }, ev.name),
      h('p', { class: 'mt-1 flex items-center gap-1 text-sm text-slate-600', dataset: { testid: 'event-venue' } }, icon('pin', 'h-4 w-4 shrink-0'), ev.venue),
      h('h3', { class: 'sr-only' }, t('events.sectors')),
      h('ul', { class: 'mt-3 divide-y divide-slate-100 border-t border-slate-100' }, (ev.sectors || []).map((s) => sectorRow(ev, s))),
      h('div', { class: 'mt-auto pt-4' },
        h('a', { class: 'btn-primary w-full', href: `event.html?id=${encodeURIComponent(ev.id)}`, dataset: { testid: 'buy-link' } },
          ev.status === 'active' && !allSold ? t('events.buy') : t('events.view'),
          h('span', { class: 'sr-only' }, `: ${ev.name}`)))));
}

const emptyNote = (text, testid) => h('p', { class: 'col-span-full rounded-2xl border border-dashed border-slate-300 p-10 text-center text-slate-600', dataset: { testid } }, text);

function render() {
  const grid = $('#events-grid');
  if (!events) return;
  const q = $('#search').value.trim();
  const shown = events.filter((ev) => matches(ev, q));
  $('#events-count').textContent = t('events.count', { n: shown.length });
  if (!events.length) mount(grid, emptyNote(t('events.empty')));
  else if (!shown.length) mount(grid, emptyNote(t('events.noMatch', { q }), 'no-match'));
  else {
    // The list is rebuilt on every refresh: keep keyboard focus on the same event's link.
    const focused = document.activeElement?.closest?.('[data-testid=event-card]')?.dataset.eventId;
    mount(grid, shown.map(card));
    if (focused) grid.querySelector(`[data-event-id="${CSS.escape(focused)}"] [data-testid=buy-link]`)?.focus({ preventScroll: true });
  }
}

/** The "live" line: 'live' (refreshed at …), 'stale' (the last refresh failed), 'offline'. */
function setLive(state, text) {
  const el = $('#events-updated');
  el.dataset.state = state;
  mount(el, liveDot(state), h('span', { id: 'events-updated-text', class: state === 'offline' ? 'font-semibold text-rose-800' : null }, text));
}

/** The first load failed: why, and a way to try again (the connection banner retries by itself too). */
function renderLoadError(err) {
  const btn = h('button', { type: 'button', class: 'btn-primary mt-4', dataset: { testid: 'events-retry' } }, t('common.retry'));
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    mount(btn, spinner(), t('common.loading'));
    await load();
  });
  mount($('#events-grid'), h('div', { class: 'col-span-full card p-10 text-center', role: 'alert', dataset: { testid: 'events-error' } },
    h('p', { class: 'font-semibold text-slate-900' }, isOutage(err) ? t('error.network') : t('events.loadFailed')),
    h('p', { class: 'mt-1 text-slate-700' }, problemText(err)),
    btn));
}

let lastLoadedAt = null;
async function load() {
  try {
    events = await api.events();
    lastError = null;
    lastLoadedAt = new Date();
    setLive('live', t('events.updated', { time: timeOnly(lastLoadedAt) }));
    render();
  } catch (err) {
    // Keep the last good list on screen, but never as if it were live.
    lastError = err;
    const since = lastLoadedAt ? t('events.staleSince', { time: timeOnly(lastLoadedAt) }) : '';
    if (isOutage(err)) setLive('offline', [t('conn.liveOffline'), since].filter(Boolean).join(' · '));
    else setLive('stale', [t('events.refreshFailed'), since].filter(Boolean).join(' · '));
    if (!events) renderLoadError(err);
  }
}

await initPage();
$('#search').addEventListener('input', render);
await load();
every(EVENTS_REFRESH_MS, load);
onReconnect(load);
onConnectionChange((online) => { if (!online) setLive('offline', t('conn.liveOffline')); });
