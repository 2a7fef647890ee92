// admin.html — the admin console: live dashboard (KPIs, sales per minute, per event/sector,
// inventory across shards, CSV export) and the event editor (create, edit, pause/resume,
// cancel, delete). Every write to an event names the version the console read (If-Match); a
// change made meanwhile by another admin (409 + current_version) reloads the list and the editor.
import { api, session, ApiError } from '../api.js';
import { t, money, dateTime, shortDateTime, timeOnly, number, percent, locale } from '../i18n.js';
import { initPage, $, $$, esc, showError, requireLogin, confirmDialog, toast, Swal, every, alertMsg } from '../ui.js';
import { DASHBOARD_REFRESH_MS } from '../config.js';

const root = $('#admin-root');
let chart = null;
let dashFailing = null;
let adminList = [];
let listSeq = 0;
let editingId = null;
let editingVersion = null;

// Statuses whose event can no longer be edited, paused, cancelled or deleted from the console;
// the sweeping ones (a cancel or delete still ending orders) are refreshed until they settle.
const CLOSING = new Set(['cancelling', 'cancelled', 'deleting']);
const SWEEPING = new Set(['cancelling', 'deleting']);
const SWEEP_REFRESH_MS = 4000;
const SWEEP_REFRESH_MAX = 30;
let sweepTimer = null;
let sweepPolls = 0;

// ---- layout -------------------------------------------------------------------------------

function layout() {
  root.innerHTML = `
    <div class="flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 class="text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl">${esc(t('admin.title'))}</h1>
        <p id="dash-updated" class="mt-1 flex items-center gap-2 text-sm text-slate-500" aria-live="polite"></p>
      </div>
      <div role="tablist" aria-label="${esc(t('admin.title'))}" class="inline-flex rounded-xl border border-slate-200 bg-white p-1 shadow-sm">
        <button type="button" role="tab" id="tab-dashboard" aria-controls="panel-dashboard" class="rounded-lg px-4 py-2 text-sm font-semibold" data-tab="dashboard">${esc(t('admin.tabDashboard'))}</button>
        <button type="button" role="tab" id="tab-events" aria-controls="panel-events" class="rounded-lg px-4 py-2 text-sm font-semibold" data-tab="events">${esc(t('admin.tabEvents'))}</button>
      </div>
    </div>

    <section id="panel-dashboard" role="tabpanel" aria-labelledby="tab-dashboard" class="mt-6 space-y-6" data-testid="dashboard">
      <div id="dash-unavailable" hidden class="rounded-2xl border border-amber-200 bg-amber-50 p-5 text-amber-900" role="status" data-testid="dash-unavailable"></div>
      <dl id="kpis" class="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4"></dl>
      <div class="card p-5">
        <h2 class="font-bold text-slate-900">${esc(t('admin.salesPerMinute'))}</h2>
        <div class="relative mt-4 h-64"><canvas id="spm-chart" role="img" aria-label="${esc(t('admin.salesPerMinute'))}"></canvas></div>
        <p id="spm-empty" class="mt-2 text-sm text-slate-500" hidden>${esc(t('admin.noData'))}</p>
      </div>
      <div class="card overflow-hidden">
        <h2 class="p-5 pb-3 font-bold text-slate-900">${esc(t('admin.perEvent'))}</h2>
        <div class="overflow-x-auto"><table class="table-base" data-testid="events-table">
          <thead class="bg-slate-50"><tr><th scope="col">${esc(t('orders.event'))}</th><th scope="col">${esc(t('admin.status'))}</th>
            <th scope="col" class="text-right">${esc(t('admin.sold'))}</th><th scope="col" class="text-right">${esc(t('admin.held'))}</th>
            <th scope="col" class="text-right">${esc(t('admin.available'))}</th><th scope="col" class="text-right">${esc(t('admin.gross'))}</th>
            <th scope="col" class="text-right">${esc(t('admin.refundedTotal'))}</th><th scope="col" class="text-right">${esc(t('admin.conversion'))}</th>
            <th scope="col">${esc(t('admin.actions'))}</th></tr></thead>
          <tbody id="events-tbody" class="divide-y divide-slate-100"></tbody></table></div>
      </div>
      <div class="card overflow-hidden">
        <h2 class="p-5 pb-3 font-bold text-slate-900">${esc(t('admin.perSector'))}</h2>
        <div class="overflow-x-auto"><table class="table-base" data-testid="sectors-table">
          <thead class="bg-slate-50"><tr><th scope="col">${esc(t('orders.event'))}</th><th scope="col">${esc(t('order.sector'))}</th>
            <th scope="col" class="text-right">${esc(t('admin.capacity'))}</th><th scope="col" class="text-right">${esc(t('admin.sold'))} (${esc(t('admin.full'))}/${esc(t('admin.half'))})</th>
            <th scope="col" class="text-right">${esc(t('admin.held'))}</th><th scope="col" class="text-right">${esc(t('admin.available'))}</th>
            <th scope="col" class="text-right">${esc(t('admin.gross'))}</th></tr></thead>
          <tbody id="sectors-tbody" class="divide-y divide-slate-100"></tbody></table></div>
      </div>
    </section>

    <section id="panel-events" role="tabpanel" aria-labelledby="tab-events" class="mt-6 grid gap-6 xl:grid-cols-5" hidden>
      <form id="event-form" class="card space-y-5 p-5 sm:p-6 xl:col-span-3" novalidate data-testid="event-form"></form>
      <div class="xl:col-span-2">
        <div class="card overflow-hidden">
          <h2 class="p-5 pb-2 font-bold text-slate-900">${esc(t('admin.eventsList'))}</h2>
          <p id="list-note" class="px-5 text-xs text-amber-700" hidden></p>
          <ul id="admin-events" class="divide-y divide-slate-100" data-testid="admin-events"></ul>
        </div>
      </div>
    </section>`;

  $$('[role=tab]').forEach((b) => b.addEventListener('click', () => selectTab(b.dataset.tab, true)));
  root.querySelector('[role=tablist]').addEventListener('keydown', (e) => {
    if (!['ArrowLeft', 'ArrowRight'].includes(e.key)) return;
    const next = e.target.dataset.tab === 'dashboard' ? 'events' : 'dashboard';
    selectTab(next, true);
    $(`#tab-${next}`).focus();
  });
  selectTab(location.hash === '#events' ? 'events' : 'dashboard');
}

function selectTab(name, push = false) {
  for (const b of $$('[role=tab]')) {
    const on = b.dataset.tab === name;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    b.className = `rounded-lg px-4 py-2 text-sm font-semibold ${on ? 'bg-brand-600 text-white shadow' : 'text-slate-600 hover:bg-slate-100'}`;
  }
  $('#panel-dashboard').hidden = name !== 'dashboard';
  $('#panel-events').hidden = name !== 'events';
  if (push) history.replaceState(null, '', `#${name}`);
}

// ---- dashboard ------------------------------------------------------------------------------

function kpi(label, value, testid, raw) {
  return `<div class="kpi"><dt>${esc(label)}</dt><dd data-testid="${testid}" data-value="${esc(raw)}">${esc(value)}</dd></div>`;
}

function renderDashboard(d) {
  const tt = d.totals || {};
  $('#kpis').innerHTML = [
    kpi(t('admin.revenue'), money(tt.net_revenue_cents), 'kpi-net', tt.net_revenue_cents ?? 0),
    kpi(t('admin.sold'), number(tt.tickets_sold), 'kpi-sold', tt.tickets_sold ?? 0),
    kpi(t('admin.held'), number(tt.tickets_held), 'kpi-held', tt.tickets_held ?? 0),
    kpi(t('admin.available'), number(tt.tickets_available), 'kpi-available', tt.tickets_available ?? 0),
    kpi(t('admin.gross'), money(tt.gross_revenue_cents), 'kpi-gross', tt.gross_revenue_cents ?? 0),
    kpi(t('admin.refundedTotal'), money(tt.refunded_cents), 'kpi-refunded', tt.refunded_cents ?? 0),
    kpi(t('admin.ordersPaid'), number(tt.orders_paid), 'kpi-paid', tt.orders_paid ?? 0),
    kpi(t('admin.conversion'), percent(tt.conversion), 'kpi-conversion', tt.conversion ?? 0),
  ].join('');

  const events = d.events || [];
  $('#events-tbody').innerHTML = events.length ? events.map((e) => `<tr data-event-id="${esc(e.id)}">
      <th scope="row" class="max-w-[16rem] truncate whitespace-nowrap px-3 py-2 text-left text-sm font-semibold normal-case tracking-normal text-slate-900">${esc(e.name)}</th>
      <td>${statusPill(e.status)}</td>
      <td class="text-right tabular-nums">${esc(number(e.tickets_sold))}</td>
      <td class="text-right tabular-nums">${esc(number(e.tickets_held))}</td>
      <td class="text-right tabular-nums">${esc(number(e.tickets_available))}</td>
      <td class="text-right tabular-nums">${esc(money(e.gross_revenue_cents))}</td>
      <td class="text-right tabular-nums">${esc(money(e.refunded_cents))}</td>
      <td class="text-right tabular-nums">${esc(percent(e.conversion))}</td>
      <td><div class="flex gap-2">
        <button type="button" class="btn-secondary btn-sm" data-inventory="${esc(e.id)}" data-name="${esc(e.name)}">${esc(t('admin.inventory'))}</button>
        <button type="button" class="btn-secondary btn-sm" data-csv="${esc(e.id)}" data-name="${esc(e.name)}">${esc(t('admin.csv'))}</button>
      </div></td></tr>`).join('')
    : `<tr><td colspan="9" class="py-6 text-center text-slate-500">${esc(t('admin.noData'))}</td></tr>`;

  const rows = events.flatMap((e) => (e.sectors || []).map((s) => {
    const full = s.by_price_type?.full?.tickets_sold ?? 0;
    const half = s.by_price_type?.half?.tickets_sold ?? 0;
    return `<tr><td class="max-w-[14rem] truncate">${esc(e.name)}</td><td class="font-medium">${esc(s.name)}</td>
      <td class="text-right tabular-nums">${esc(number(s.capacity))}</td>
      <td class="text-right tabular-nums">${esc(number(s.tickets_sold))} <span class="text-slate-400">(${esc(number(full))}/${esc(number(half))})</span></td>
      <td class="text-right tabular-nums">${esc(number(s.tickets_held))}</td>
      <td class="text-right tabular-nums">${esc(number(s.tickets_available))}</td>
      <td class="text-right tabular-nums">${esc(money(s.gross_revenue_cents))}</td></tr>`;
  }));
  $('#sectors-tbody').innerHTML = rows.join('') || `<tr><td colspan="7" class="py-6 text-center text-slate-500">${esc(t('admin.noData'))}</td></tr>`;

  renderChart(d.sales_per_minute || []);
}

function renderChart(series) {
  const points = series.slice(-60);
  $('#spm-empty').hidden = points.some((p) => p.tickets > 0);
  const labels = points.map((p) => new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(new Date(p.at)));
  const tickets = points.map((p) => p.tickets || 0);
  const revenue = points.map((p) => (p.revenue_cents || 0) / 100);
  if (!window.Chart) return;
  if (!chart) {
    chart = new window.Chart($('#spm-chart'), {
      data: {
        labels,
        datasets: [
          { type: 'bar', label: t('admin.tickets'), data: tickets, backgroundColor: 'rgba(33,71,237,.75)', borderRadius: 4, yAxisID: 'y' },
          { type: 'line', label: t('admin.revenueSeries'), data: revenue, borderColor: '#f59e0b', backgroundColor: 'rgba(245,158,11,.15)', tension: 0.3, pointRadius: 0, yAxisID: 'y1', fill: true },
        ],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: (c) => (c.dataset.yAxisID === 'y1' ? `${c.dataset.label}: ${money(c.raw * 100)}` : `${c.dataset.label}: ${number(c.raw)}`) } },
        },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('admin.tickets') } },
          y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, ticks: { callback: (v) => money(v * 100) } },
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } },
        },
      },
    });
  } else {
    chart.data.labels = labels;
    chart.data.datasets[0].data = tickets;
    chart.data.datasets[1].data = revenue;
    chart.update('none');
  }
}

function statusPill(status) {
  const cls = {
    active: 'badge-green', paused: 'badge-amber', cancelling: 'badge-amber', deleting: 'badge-amber', cancelled: 'badge-red',
  }[status] || 'badge-slate';
  const key = `admin.status.${status}`;
  const label = t(key) === key ? status : t(key);
  return `<span class="${cls} shrink-0" data-testid="event-status" data-status="${esc(status)}">${esc(label)}</span>`;
}

function liveLine(ok, when) {
  $('#dash-updated').innerHTML = ok
    ? `<span class="relative flex h-2 w-2" aria-hidden="true"><span class="absolute inline-flex h-full w-full animate-ping rounded-full bg-emerald-400 opacity-75"></span><span class="relative inline-flex h-2 w-2 rounded-full bg-emerald-500"></span></span>
       <span class="font-semibold text-emerald-700">${esc(t('admin.live'))}</span> · <span>${esc(t('admin.updated', { time: timeOnly(when) }))}</span>`
    : `<span class="inline-flex h-2 w-2 rounded-full bg-slate-400" aria-hidden="true"></span> ${esc(t('admin.paused'))}`;
}

async function loadDashboard() {
  try {
    const d = await api.dashboard();
    dashFailing = null;
    $('#dash-unavailable').hidden = true;
    renderDashboard(d);
    liveLine(true, d.generated_at ? new Date(d.generated_at) : new Date());
  } catch (err) {
    liveLine(false);
    if (err instanceof ApiError && err.notBuilt) {
      const box = $('#dash-unavailable');
      box.hidden = false;
      box.textContent = t('admin.unavailable', { status: err.status });
    } else if (!dashFailing) {
      showError(err);
    }
    dashFailing = err;
  }
}

async function showInventory(id, name) {
  try {
    const inv = await api.inventory(id);
    const rows = (inv.buckets || []).map((b) => `<tr><td>${esc(b.sector)}</td><td class="text-right tabular-nums">${esc(b.bucket)}</td>
      <td class="text-right tabular-nums">${esc(number(b.available))} / ${esc(number(b.capacity))}</td><td><code>${esc(b.shard ?? '—')}</code></td></tr>`).join('');
    await Swal.fire({
      titleText: t('admin.inventoryTitle', { name }),
      width: 720,
      buttonsStyling: false,
      customClass: { confirmButton: 'btn-primary' },
      confirmButtonText: t('common.close'),
      html: `<div class="text-left text-sm">
        <p><span class="font-semibold">${esc(t('admin.topology'))}:</span> <span class="badge-blue" data-testid="topology">${esc(inv.topology)}</span></p>
        ${inv.note ? `<p class="mt-2 rounded-lg bg-slate-50 p-3 text-slate-600">${esc(inv.note)}</p>` : ''}
        <div class="mt-3 max-h-80 overflow-auto"><table class="table-base"><thead class="bg-slate-50"><tr><th>${esc(t('order.sector'))}</th><th class="text-right">${esc(t('admin.bucket'))}</th>
        <th class="text-right">${esc(t('admin.available'))}</th><th>${esc(t('admin.shard'))}</th></tr></thead><tbody class="divide-y divide-slate-100">${rows}</tbody></table></div></div>`,
    });
  } catch (err) { showError(err); }
}

async function downloadCsv(id, name) {
  try {
    const res = await api.ordersCsv(id);
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    const slug = name.normalize('NFD').replace(/[^\w]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || id;
    a.download = `pedidos-${slug}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) { showError(err); }
}

// ---- event editor -------------------------------------------------------------------------------

function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
const centsToInput = (c) => (c == null ? '' : (c / 100).toFixed(2).replace('.', ','));
function parseMoney(v) {
  let s = String(v || '').replace(/[R$\s]/g, '');
  if (!s) return NaN;
  if (s.includes(',')) s = s.replace(/\./g, '').replace(',', '.');
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : NaN;
}

function field(id, label, input, hint = '') {
  return `<div><label class="label" for="${id}">${esc(label)}${hint ? ` <span class="font-normal text-slate-400">(${esc(hint)})</span>` : ''}</label>${input}</div>`;
}

function renderForm(ev = null) {
  editingId = ev?.id || null;
  // The version this edit is based on: sent back as If-Match when it is saved.
  editingVersion = Number.isInteger(ev?.version) ? ev.version : null;
  const f = $('#event-form');
  f.innerHTML = `
    <div class="flex flex-wrap items-center justify-between gap-2">
      <h2 class="text-lg font-bold text-slate-900" id="form-title">${esc(ev ? t('admin.editEvent') : t('admin.newEvent'))}</h2>
      ${ev ? `<button type="button" class="btn-ghost btn-sm" id="form-new">+ ${esc(t('admin.newEvent'))}</button>` : ''}
    </div>
    <div class="grid gap-4 sm:grid-cols-2">
      <div class="sm:col-span-2">${field('ev-name', t('admin.name'), `<input id="ev-name" class="input" required maxlength="200" value="${esc(ev?.name || '')}">`)}</div>
      <div class="sm:col-span-2">${field('ev-description', t('admin.description'), `<textarea id="ev-description" rows="3" class="input">${esc(ev?.description || '')}</textarea>`, t('admin.optional'))}</div>
      ${field('ev-venue', t('admin.venue'), `<input id="ev-venue" class="input" required value="${esc(ev?.venue || '')}">`)}
      ${field('ev-starts', t('admin.startsAt'), `<input id="ev-starts" type="datetime-local" class="input" required value="${esc(toLocalInput(ev?.starts_at))}">`)}
      <div class="sm:col-span-2">${field('ev-image', t('admin.imageUrl'), `<input id="ev-image" type="url" class="input" placeholder="https://…" value="${esc(ev?.image_url || '')}">`, t('admin.optional'))}</div>
      ${field('ev-half', t('admin.halfShare'), `<input id="ev-half" type="number" min="0" max="100" class="input" placeholder="40" value="${esc(ev?.half_price_share_percent ?? '')}">`)}
      ${field('ev-max-order', t('admin.maxPerOrder'), `<input id="ev-max-order" type="number" min="1" class="input" placeholder="6" value="${esc(ev?.max_per_order ?? '')}">`)}
      ${field('ev-max-buyer', t('admin.maxPerBuyer'), `<input id="ev-max-buyer" type="number" min="1" class="input" placeholder="${esc(t('common.unlimited'))}" value="${esc(ev?.max_per_buyer ?? '')}">`, t('admin.optional'))}
      ${field('ev-sales-end', t('admin.salesEndAt'), `<input id="ev-sales-end" type="datetime-local" class="input" value="${esc(toLocalInput(ev?.sales_end_at))}">`, t('admin.optional'))}
    </div>
    <div>
      <div class="flex items-center justify-between"><h3 class="font-bold text-slate-900">${esc(t('admin.sectors'))}</h3>
        <button type="button" class="btn-secondary btn-sm" id="add-sector" data-testid="add-sector">+ ${esc(t('admin.addSector'))}</button></div>
      <p class="mt-1 text-xs text-slate-500">${esc(t('admin.lotsHint'))}</p>
      <div id="sectors-editor" class="mt-3 space-y-3"></div>
    </div>
    <div class="flex flex-wrap gap-3 border-t border-slate-100 pt-4">
      <button type="submit" class="btn-primary" id="save-event" data-testid="save-event">${esc(t('admin.save'))}</button>
      <button type="button" class="btn-secondary" id="reset-form">${esc(t('admin.reset'))}</button>
    </div>`;
  const sectors = ev?.sectors?.length ? ev.sectors : [{}];
  sectors.forEach((s) => addSector(s));
  $('#add-sector').addEventListener('click', () => { addSector({}); $$('#sectors-editor [data-field=name]').at(-1).focus(); });
  $('#reset-form').addEventListener('click', () => renderForm());
  $('#form-new')?.addEventListener('click', () => renderForm());
}

let sectorSeq = 0;
function addSector(s) {
  const n = ++sectorSeq;
  const box = document.createElement('fieldset');
  box.className = 'rounded-xl border border-slate-200 bg-slate-50 p-4';
  box.dataset.testid = 'sector-editor';
  box.innerHTML = `
    <legend class="sr-only">${esc(t('admin.sectorName'))} ${n}</legend>
    <div class="grid gap-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-end">
      ${field(`s${n}-name`, t('admin.sectorName'), `<input id="s${n}-name" data-field="name" class="input" required value="${esc(s.name || '')}">`)}
      ${field(`s${n}-price`, t('admin.price'), `<input id="s${n}-price" data-field="price" class="input" inputmode="decimal" placeholder="0,00" value="${esc(centsToInput(s.price_cents))}">`)}
      ${field(`s${n}-capacity`, t('admin.capacity'), `<input id="s${n}-capacity" data-field="capacity" type="number" min="1" class="input" value="${esc(s.capacity ?? '')}">`)}
      <button type="button" class="btn-ghost btn-sm text-rose-700" data-remove-sector>${esc(t('admin.removeSector'))}</button>
    </div>
    <div class="mt-3">
      <div data-lots class="space-y-2"></div>
      <button type="button" class="mt-2 text-xs font-semibold text-brand-700 hover:underline" data-add-lot>+ ${esc(t('admin.addLot'))}</button>
    </div>`;
  box.querySelector('[data-remove-sector]').addEventListener('click', () => {
    if ($$('#sectors-editor > fieldset').length > 1) box.remove();
    else alertMsg('warning', t('admin.sectorRequired'));
  });
  box.querySelector('[data-add-lot]').addEventListener('click', () => addLot(box, {}));
  (s.lots || []).forEach((l) => addLot(box, l));
  $('#sectors-editor').append(box);
  syncLots(box);
}

let lotSeq = 0;
function addLot(sectorBox, l) {
  const n = ++lotSeq;
  const row = document.createElement('div');
  row.className = 'grid gap-2 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-[2fr_1fr_1fr_1.5fr_auto] sm:items-end';
  row.dataset.lot = '';
  row.innerHTML = `
    ${field(`l${n}-name`, t('admin.lotName'), `<input id="l${n}-name" data-lot-field="name" class="input" value="${esc(l.name || '')}">`)}
    ${field(`l${n}-price`, t('admin.price'), `<input id="l${n}-price" data-lot-field="price" class="input" inputmode="decimal" value="${esc(centsToInput(l.price_cents))}">`)}
    ${field(`l${n}-qty`, t('admin.lotQty'), `<input id="l${n}-qty" data-lot-field="quantity" type="number" min="1" class="input" value="${esc(l.quantity ?? '')}">`)}
    ${field(`l${n}-ends`, t('admin.lotEnds'), `<input id="l${n}-ends" data-lot-field="ends_at" type="datetime-local" class="input" value="${esc(toLocalInput(l.ends_at))}">`, t('admin.optional'))}
    <button type="button" class="btn-ghost btn-sm text-rose-700" aria-label="${esc(t('admin.removeLot'))}">✕</button>`;
  row.querySelector('button').addEventListener('click', () => { row.remove(); syncLots(sectorBox); });
  row.addEventListener('input', () => syncLots(sectorBox));
  sectorBox.querySelector('[data-lots]').append(row);
  syncLots(sectorBox);
  row.querySelector('input').focus();
}

/** With lots, capacity and price come from the lots (shown, not editable). */
function syncLots(box) {
  const lots = [...box.querySelectorAll('[data-lot]')];
  const cap = box.querySelector('[data-field=capacity]');
  const price = box.querySelector('[data-field=price]');
  cap.readOnly = price.readOnly = lots.length > 0;
  cap.classList.toggle('bg-slate-100', lots.length > 0);
  price.classList.toggle('bg-slate-100', lots.length > 0);
  if (lots.length) {
    cap.value = lots.reduce((sum, l) => sum + (Number(l.querySelector('[data-lot-field=quantity]').value) || 0), 0);
    price.value = lots[0].querySelector('[data-lot-field=price]').value;
  }
}

function collect() {
  const v = (id) => $(id).value.trim();
  const input = { name: v('#ev-name'), venue: v('#ev-venue'), starts_at: '' , sectors: [] };
  const starts = v('#ev-starts');
  if (starts) input.starts_at = new Date(starts).toISOString();
  // Optional fields are sent only when filled in (omitted = the server's default).
  if (v('#ev-description')) input.description = v('#ev-description');
  if (v('#ev-image')) input.image_url = v('#ev-image');
  if (v('#ev-half') !== '') input.half_price_share_percent = Number(v('#ev-half'));
  if (v('#ev-max-order') !== '') input.max_per_order = Number(v('#ev-max-order'));
  if (v('#ev-max-buyer') !== '') input.max_per_buyer = Number(v('#ev-max-buyer'));
  // Empty: sales close when the event starts. Never after the start (the server answers 422).
  if (v('#ev-sales-end')) {
    input.sales_end_at = new Date(v('#ev-sales-end')).toISOString();
    if (input.starts_at && new Date(input.sales_end_at) > new Date(input.starts_at)) throw new Error(t('admin.salesEndAfterStart'));
  }
  for (const box of $$('#sectors-editor > fieldset')) {
    const name = box.querySelector('[data-field=name]').value.trim();
    const sector = { name, price_cents: parseMoney(box.querySelector('[data-field=price]').value), capacity: Number(box.querySelector('[data-field=capacity]').value) };
    const lots = [...box.querySelectorAll('[data-lot]')].map((row) => {
      const g = (f) => row.querySelector(`[data-lot-field=${f}]`).value.trim();
      const lot = { name: g('name'), price_cents: parseMoney(g('price')), quantity: Number(g('quantity')) };
      if (g('ends_at')) lot.ends_at = new Date(g('ends_at')).toISOString();
      return lot;
    });
    if (lots.length) sector.lots = lots;
    if (!Number.isFinite(sector.price_cents) || lots.some((l) => !Number.isFinite(l.price_cents))) {
      throw new Error(t('admin.invalidPrice', { name: name || '?' }));
    }
    input.sectors.push(sector);
  }
  if (!input.sectors.length) throw new Error(t('admin.sectorRequired'));
  return input;
}

async function save(e) {
  e.preventDefault();
  const form = e.currentTarget;
  if (!form.reportValidity()) return;
  let input;
  try { input = collect(); } catch (err) { alertMsg('warning', err.message); return; }
  const btn = $('#save-event');
  btn.disabled = true;
  btn.textContent = t('admin.saving');
  const editing = editingId;
  try {
    const saved = editing ? await api.updateEvent(editing, input, editingVersion) : await api.createEvent(input);
    await Swal.fire({ icon: 'success', titleText: editing ? t('admin.saved') : t('admin.created'), text: saved?.name || input.name,
      buttonsStyling: false, customClass: { confirmButton: 'btn-primary' }, confirmButtonText: t('common.ok') });
    renderForm();
    loadList();
    loadDashboard();
  } catch (err) {
    if (err instanceof ApiError && err.staleVersion) await staleConflict(editing);
    else showError(err);
  } finally {
    btn.disabled = false;
    btn.textContent = t('admin.save');
  }
}

// ---- events list --------------------------------------------------------------------------------

async function loadList() {
  const seq = ++listSeq;
  const note = $('#list-note');
  let list = adminList;
  try {
    list = await api.adminEvents();
    note.hidden = true;
  } catch (err) {
    if (err instanceof ApiError && err.notBuilt) {
      try { list = await api.events(); } catch (e2) { showError(e2); list = []; }
      note.hidden = false;
      note.textContent = t('admin.listFallback');
    } else {
      showError(err);
    }
  }
  if (seq !== listSeq) return; // a later reload has answered (or will) — it wins
  adminList = list;
  renderList();
  scheduleSweepRefresh();
}

function renderList() {
  $('#admin-events').innerHTML = adminList.map((ev) => {
    const closing = CLOSING.has(ev.status);
    const actions = [
      closing ? '' : `<button type="button" class="btn-secondary btn-sm" data-act="edit" data-id="${esc(ev.id)}">${esc(t('admin.edit'))}</button>`,
      ev.status === 'active' ? `<button type="button" class="btn-secondary btn-sm" data-act="pause" data-id="${esc(ev.id)}">${esc(t('admin.pause'))}</button>` : '',
      ev.status === 'paused' ? `<button type="button" class="btn-secondary btn-sm" data-act="resume" data-id="${esc(ev.id)}">${esc(t('admin.resume'))}</button>` : '',
      closing ? '' : `<button type="button" class="btn-secondary btn-sm text-rose-700" data-act="cancel" data-id="${esc(ev.id)}">${esc(t('admin.cancelEvent'))}</button>`,
      closing ? '' : `<button type="button" class="btn-secondary btn-sm text-rose-700" data-act="delete" data-id="${esc(ev.id)}">${esc(t('admin.delete'))}</button>`,
    ].join('');
    return `<li class="p-4" data-testid="admin-event" data-event-id="${esc(ev.id)}" data-status="${esc(ev.status)}">
    <div class="flex items-start justify-between gap-2">
      <div class="min-w-0"><p class="truncate font-semibold text-slate-900">${esc(ev.name)}</p>
        <p class="text-xs text-slate-500">${esc(shortDateTime(ev.starts_at))} · ${esc(ev.venue)}</p>
        ${ev.sales_end_at ? `<p class="text-xs text-slate-500">${esc(t('admin.salesUntil', { when: shortDateTime(ev.sales_end_at) }))}</p>` : ''}</div>
      ${statusPill(ev.status)}
    </div>
    ${actions ? `<div class="mt-3 flex flex-wrap gap-2">${actions}</div>` : ''}</li>`;
  }).join('') || `<li class="p-4 text-sm text-slate-500">${esc(t('events.empty'))}</li>`;
}

/** While an event is cancelling or deleting (its sweep still running), reloads the list every few seconds. */
function scheduleSweepRefresh(reset = false) {
  if (reset) sweepPolls = 0;
  if (!adminList.some((x) => SWEEPING.has(x.status))) { sweepPolls = 0; return; }
  if (sweepTimer || sweepPolls >= SWEEP_REFRESH_MAX) return;
  sweepPolls += 1;
  sweepTimer = setTimeout(() => {
    sweepTimer = null;
    loadList();
    loadDashboard();
  }, SWEEP_REFRESH_MS);
}

/**
 * Another admin changed the event since the console read it (409 + current_version): says so,
 * reloads the list and, if the editor was open on that event, reopens it with the fresh one.
 */
async function staleConflict(id) {
  await alertMsg('warning', t('admin.staleTitle'), t('admin.staleVersion'));
  const reopen = Boolean(id) && editingId === id;
  await loadList();
  loadDashboard();
  if (reopen) {
    const fresh = adminList.find((x) => x.id === id);
    renderForm(fresh && !CLOSING.has(fresh.status) ? fresh : null);
  }
}

/** A cancel or delete answered 202: the event is shown as it is now (cancelling / deleting). */
async function sweepUnderWay(ev, updated, kind) {
  const now = { ...ev, ...(updated || {}), status: updated?.status || kind };
  adminList = adminList.map((x) => (x.id === ev.id ? now : x));
  renderList();
  scheduleSweepRefresh(true);
  loadDashboard();
  await alertMsg('info', t(`admin.${kind}Title`), t(`admin.${kind}Text`));
}

async function onListClick(e) {
  const btn = e.target.closest('button[data-act]');
  if (!btn) return;
  const ev = adminList.find((x) => x.id === btn.dataset.id);
  if (!ev) return;
  const act = btn.dataset.act;
  if (act === 'edit') {
    renderForm(ev);
    $('#event-form').scrollIntoView({ behavior: 'smooth', block: 'start' });
    $('#ev-name').focus({ preventScroll: true });
    return;
  }
  const confirms = {
    pause: [t('admin.confirmPause', { name: ev.name }), '', false, t('admin.pause')],
    resume: [t('admin.confirmResume', { name: ev.name }), '', false, t('admin.resume')],
    cancel: [t('admin.confirmCancel', { name: ev.name }), t('admin.confirmCancelText'), true, t('admin.cancelEvent')],
    delete: [t('admin.confirmDelete', { name: ev.name }), t('admin.confirmDeleteText'), true, t('admin.delete')],
  }[act];
  if (!(await confirmDialog(confirms[0], confirms[1], { danger: confirms[2], confirmText: confirms[3] }))) return;
  btn.disabled = true;
  // Every write names the version of the event as the list last loaded it.
  const version = Number.isInteger(ev.version) ? ev.version : null;
  const editingThis = editingId === ev.id;
  try {
    if (act === 'pause' || act === 'resume') {
      const updated = await api.setEventStatus(ev.id, act === 'pause' ? 'paused' : 'active', version);
      // The editor open on this event, at the version just changed, follows the new version (only
      // the status changed, and by this admin); an editor based on an older version stays stale.
      if (editingThis && editingVersion != null && editingVersion === version && Number.isInteger(updated?.version)) {
        editingVersion = updated.version;
      }
      toast('success', t('admin.done'));
    }
    if (act === 'cancel' || act === 'delete') {
      const r = act === 'cancel' ? await api.cancelEvent(ev.id, version) : await api.deleteEvent(ev.id, version);
      if (editingThis) renderForm(); // the event can no longer be edited
      if (r.status === 202) {
        await sweepUnderWay(ev, r.event, act === 'cancel' ? 'cancelling' : 'deleting');
        return; // the list is refreshed a few seconds later, until the sweep ends
      }
      toast('success', t('admin.done'));
    }
  } catch (err) {
    if (err instanceof ApiError && err.staleVersion) {
      await staleConflict(ev.id);
      return;
    }
    await showError(err);
  }
  loadList();
  loadDashboard();
}

// ---- boot -----------------------------------------------------------------------------------------

await initPage();
if (requireLogin()) {
  if (!session.isAdmin) {
    root.innerHTML = `<div class="card mx-auto max-w-lg p-10 text-center"><p class="text-lg font-semibold text-slate-800" data-testid="forbidden">${esc(t('admin.forbidden'))}</p>
      <a class="btn-primary mt-4" href="index.html">${esc(t('nav.events'))}</a></div>`;
  } else {
    layout();
    renderForm();
    $('#event-form').addEventListener('submit', save);
    $('#admin-events').addEventListener('click', onListClick);
    $('#events-tbody').addEventListener('click', (e) => {
      const inv = e.target.closest('[data-inventory]');
      const csv = e.target.closest('[data-csv]');
      if (inv) showInventory(inv.dataset.inventory, inv.dataset.name);
      if (csv) downloadCsv(csv.dataset.csv, csv.dataset.name);
    });
    await Promise.all([loadDashboard(), loadList()]);
    every(DASHBOARD_REFRESH_MS, loadDashboard);
  }
}
