// index.html — the event list: search, prices (full / half), live availability.
import { api } from '../api.js';
import { t, money, dateTime, timeOnly } from '../i18n.js';
import { initPage, $, esc, availability, showError, every, eventImage } from '../ui.js';
import { EVENTS_REFRESH_MS } from '../config.js';

let events = null;
let lastError = null;

function matches(ev, q) {
  if (!q) return true;
  const norm = (s) => String(s || '').normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
  const needle = norm(q);
  return norm(ev.name).includes(needle) || norm(ev.venue).includes(needle);
}

function sectorRow(ev, s) {
  const a = availability(s, ev.status);
  return `<li class="flex items-center justify-between gap-3 py-2" data-testid="sector-row" data-sector="${esc(s.name)}">
    <div class="min-w-0">
      <p class="truncate text-sm font-semibold text-slate-800">${esc(s.name)}</p>
      <p class="text-xs text-slate-500"><span class="whitespace-nowrap">${esc(t('events.full'))} <span class="font-medium text-slate-700">${esc(money(s.price_cents))}</span></span>
        · <span class="whitespace-nowrap">${esc(t('events.half'))} <span class="font-medium text-slate-700">${esc(money(s.half_price_cents ?? Math.round(s.price_cents / 2)))}</span></span></p>
    </div>
    <span class="${a.cls} shrink-0" data-testid="availability" data-availability="${a.key}">${esc(a.text)}</span>
  </li>`;
}

function card(ev) {
  const statusNote = ev.status === 'paused' ? `<span class="badge-slate absolute left-3 top-3 shadow">${esc(t('avail.paused'))}</span>` : '';
  const allSold = ev.sectors?.length && ev.sectors.every((s) => Number(s.available) <= 0);
  return `<article class="card flex flex-col overflow-hidden transition hover:-translate-y-0.5 hover:shadow-md" data-testid="event-card" data-event-id="${esc(ev.id)}">
    <div class="relative">${eventImage(ev)}${statusNote}${allSold ? `<span class="badge-red absolute right-3 top-3 shadow">${esc(t('avail.soldout'))}</span>` : ''}</div>
    <div class="flex flex-1 flex-col p-5">
      <p class="text-xs font-semibold uppercase tracking-wide text-brand-700"><time datetime="${esc(ev.starts_at)}">${esc(dateTime(ev.starts_at))}</time></p>
      <h2 class="mt-1 text-lg font-bold leading-snug text-slate-900">${esc(ev.name)}</h2>
      <p class="mt-1 flex items-center gap-1 text-sm text-slate-500">
        <svg aria-hidden="true" viewBox="0 0 24 24" class="h-4 w-4 shrink-0" fill="none" stroke="currentColor" stroke-width="2"><path d="M12 21s-7-6.2-7-11a7 7 0 1 1 14 0c0 4.8-7 11-7 11z"/><circle cx="12" cy="10" r="2.5"/></svg>
        ${esc(ev.venue)}</p>
      <h3 class="sr-only">${esc(t('events.sectors'))}</h3>
      <ul class="mt-3 divide-y divide-slate-100 border-t border-slate-100">${(ev.sectors || []).map((s) => sectorRow(ev, s)).join('')}</ul>
      <div class="mt-auto pt-4">
        <a class="btn-primary w-full" href="event.html?id=${encodeURIComponent(ev.id)}" data-testid="buy-link">${esc(ev.status === 'active' && !allSold ? t('events.buy') : t('events.view'))}<span class="sr-only">: ${esc(ev.name)}</span></a>
      </div>
    </div>
  </article>`;
}

function render() {
  const grid = $('#events-grid');
  if (!events) return;
  const q = $('#search').value.trim();
  const shown = events.filter((ev) => matches(ev, q));
  $('#events-count').textContent = t('events.count', { n: shown.length });
  if (!events.length) {
    grid.innerHTML = `<p class="col-span-full rounded-2xl border border-dashed border-slate-300 p-10 text-center text-slate-500">${esc(t('events.empty'))}</p>`;
  } else if (!shown.length) {
    grid.innerHTML = `<p class="col-span-full rounded-2xl border border-dashed border-slate-300 p-10 text-center text-slate-500" data-testid="no-match">${esc(t('events.noMatch', { q }))}</p>`;
  } else {
    grid.innerHTML = shown.map(card).join('');
  }
}

async function load() {
  try {
    events = await api.events();
    lastError = null;
    $('#events-updated-text').textContent = t('events.updated', { time: timeOnly() });
    render();
  } catch (err) {
    // Show an error once per failure streak; keep the last good list on screen.
    if (!lastError) showError(err);
    lastError = err;
    if (!events) $('#events-grid').innerHTML = `<p class="col-span-full text-center text-slate-500">${esc(t('error.generic'))}</p>`;
  }
}

await initPage();
$('#search').addEventListener('input', render);
await load();
every(EVENTS_REFRESH_MS, load);
