// admin.html — the admin console: live dashboard (KPIs, sales per minute, per event/sector,
// inventory across shards, CSV export), the event editor (create, edit, pause/resume,
// cancel, delete) and, per event, the gate (Portaria: gate staff accounts and the live
// check-in report). Every write to an event names the version the console read (If-Match); a
// change made meanwhile by another admin (409 + current_version) reloads the list and the editor.
import { api, session, ApiError } from '../api.js';
import { t, money, dateTime, shortDateTime, timeOnly, number, percent, locale } from '../i18n.js';
import { initPage, $, $$, h, mount, showError, requireLogin, confirmDialog, toast, fire, every, alertMsg } from '../ui.js';
import { liveDot } from '../dom.js';
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
const TABS = ['dashboard', 'events', 'gate'];
let sweepTimer = null;
let sweepPolls = 0;

// ---- layout -------------------------------------------------------------------------------

function layout() {
  const th = (text, right = false) => h('th', { scope: 'col', class: right ? 'text-right' : null }, text);
  const tab = (name, key) => h('button', {
    type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}`, class: 'rounded-lg px-4 py-2 text-sm font-semibold', dataset: { tab: name },
  }, t(key));
  const tablist = h('div', { role: 'tablist', 'aria-label': t('admin.title'), class: 'inline-flex rounded-xl border border-slate-200 bg-white p-1 shadow-sm' },
    TABS.map((name) => tab(name, `admin.tab${name[0].toUpperCase()}${name.slice(1)}`)));
  mount(root,
    h('div', { class: 'flex flex-wrap items-end justify-between gap-4' },
      h('div', null,
        h('h1', { class: 'text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl' }, t('admin.title')),
        h('p', { id: 'dash-updated', class: 'mt-1 flex items-center gap-2 text-sm text-slate-600', 'aria-live': 'polite' })),
      tablist),

    h('section', { id: 'panel-dashboard', role: 'tabpanel', 'aria-labelledby': 'tab-dashboard', class: 'mt-6 space-y-6', dataset: { testid: 'dashboard' } },
      h('div', { id: 'dash-unavailable', hidden: true, class: 'rounded-2xl border border-amber-200 bg-amber-50 p-5 text-amber-900', role: 'status', dataset: { testid: 'dash-unavailable' } }),
      h('dl', { id: 'kpis', class: 'grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4' }),
      h('div', { class: 'card p-5' },
        h('h2', { class: 'font-bold text-slate-900' }, t('admin.salesPerMinute')),
        h('div', { class: 'relative mt-4 h-64' }, h('canvas', { id: 'spm-chart', role: 'img', 'aria-label': t('admin.salesPerMinute') })),
        h('p', { id: 'spm-empty', class: 'mt-2 text-sm text-slate-600', hidden: true }, t('admin.noData'))),
      h('div', { class: 'card overflow-hidden' },
        h('h2', { class: 'p-5 pb-3 font-bold text-slate-900' }, t('admin.perEvent')),
        h('div', { class: 'overflow-x-auto' }, h('table', { class: 'table-base', dataset: { testid: 'events-table' } },
          h('thead', { class: 'bg-slate-50' }, h('tr', null,
            th(t('orders.event')), th(t('admin.status')), th(t('admin.sold'), true), th(t('admin.held'), true),
            th(t('admin.available'), true), th(t('admin.gross'), true), th(t('admin.refundedTotal'), true), th(t('admin.conversion'), true),
            th(t('admin.actions')))),
          h('tbody', { id: 'events-tbody', class: 'divide-y divide-slate-100' })))),
      h('div', { class: 'card overflow-hidden' },
        h('h2', { class: 'p-5 pb-3 font-bold text-slate-900' }, t('admin.perSector')),
        h('div', { class: 'overflow-x-auto' }, h('table', { class: 'table-base', dataset: { testid: 'sectors-table' } },
          h('thead', { class: 'bg-slate-50' }, h('tr', null,
            th(t('orders.event')), th(t('order.sector')), th(t('admin.capacity'), true),
            th(`${t('admin.sold')} (${t('admin.full')}/${t('admin.half')})`, true),
            th(t('admin.held'), true), th(t('admin.available'), true), th(t('admin.gross'), true))),
          h('tbody', { id: 'sectors-tbody', class: 'divide-y divide-slate-100' }))))),

    h('section', { id: 'panel-events', role: 'tabpanel', 'aria-labelledby': 'tab-events', class: 'mt-6 grid gap-6 xl:grid-cols-5', hidden: true },
      h('form', { id: 'event-form', class: 'card space-y-5 p-5 sm:p-6 xl:col-span-3', novalidate: true, dataset: { testid: 'event-form' } }),
      h('div', { class: 'xl:col-span-2' },
        h('div', { class: 'card overflow-hidden' },
          h('h2', { class: 'p-5 pb-2 font-bold text-slate-900' }, t('admin.eventsList')),
          h('p', { id: 'list-note', class: 'px-5 text-xs text-amber-800', hidden: true }),
          h('ul', { id: 'admin-events', class: 'divide-y divide-slate-100', dataset: { testid: 'admin-events' } })))),

    gatePanel());

  $$('[role=tab]').forEach((b) => b.addEventListener('click', () => selectTab(b.dataset.tab, true)));
  tablist.addEventListener('keydown', (e) => {
    if (!['ArrowLeft', 'ArrowRight'].includes(e.key)) return;
    const at = TABS.indexOf(e.target.dataset.tab);
    const next = TABS[(at + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
    selectTab(next, true);
    $(`#tab-${next}`).focus();
  });
  const wanted = location.hash.slice(1);
  selectTab(TABS.includes(wanted) ? wanted : 'dashboard');
}

function selectTab(name, push = false) {
  for (const b of $$('[role=tab]')) {
    const on = b.dataset.tab === name;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    b.className = `rounded-lg px-4 py-2 text-sm font-semibold ${on ? 'bg-brand-600 text-white shadow' : 'text-slate-600 hover:bg-slate-100'}`;
  }
  for (const tab of TABS) $(`#panel-${tab}`).hidden = name !== tab;
  if (push) history.replaceState(null, '', `#${name}`);
  if (name === 'gate') loadGateReport();
}

// ---- dashboard ------------------------------------------------------------------------------

function kpi(label, value, testid, raw) {
  return h('div', { class: 'kpi' }, h('dt', null, label), h('dd', { dataset: { testid, value: raw } }, value));
}

const num = (value) => h('td', { class: 'text-right tabular-nums' }, value);

function eventRow(e) {
  return h('tr', { dataset: { eventId: e.id } },
    h('th', { scope: 'row', class: 'max-w-[16rem] truncate whitespace-nowrap px-3 py-2 text-left text-sm font-semibold normal-case tracking-normal text-slate-900' }, e.name),
    h('td', null, statusPill(e.status)),
    num(number(e.tickets_sold)), num(number(e.tickets_held)), num(number(e.tickets_available)),
    num(money(e.gross_revenue_cents)), num(money(e.refunded_cents)), num(percent(e.conversion)),
    h('td', null, h('div', { class: 'flex gap-2' },
      h('button', { type: 'button', class: 'btn-secondary btn-sm', dataset: { inventory: e.id, name: e.name } }, t('admin.inventory')),
      h('button', { type: 'button', class: 'btn-secondary btn-sm', dataset: { csv: e.id, name: e.name } }, t('admin.csv')))));
}

function sectorRow(e, sec) {
  const full = sec.by_price_type?.full?.tickets_sold ?? 0;
  const half = sec.by_price_type?.half?.tickets_sold ?? 0;
  return h('tr', null,
    h('td', { class: 'max-w-[14rem] truncate' }, e.name),
    h('td', { class: 'font-medium' }, sec.name),
    num(number(sec.capacity)),
    h('td', { class: 'text-right tabular-nums' }, number(sec.tickets_sold), ' ', h('span', { class: 'text-slate-600' }, `(${number(full)}/${number(half)})`)),
    num(number(sec.tickets_held)), num(number(sec.tickets_available)), num(money(sec.gross_revenue_cents)));
}

const noDataRow = (cols, key = 'admin.noData') => h('tr', null, h('td', { colspan: cols, class: 'py-6 text-center text-slate-600' }, t(key)));

function renderDashboard(d) {
  const tt = d.totals || {};
  mount($('#kpis'),
    kpi(t('admin.revenue'), money(tt.net_revenue_cents), 'kpi-net', tt.net_revenue_cents ?? 0),
    kpi(t('admin.sold'), number(tt.tickets_sold), 'kpi-sold', tt.tickets_sold ?? 0),
    kpi(t('admin.held'), number(tt.tickets_held), 'kpi-held', tt.tickets_held ?? 0),
    kpi(t('admin.available'), number(tt.tickets_available), 'kpi-available', tt.tickets_available ?? 0),
    kpi(t('admin.gross'), money(tt.gross_revenue_cents), 'kpi-gross', tt.gross_revenue_cents ?? 0),
    kpi(t('admin.refundedTotal'), money(tt.refunded_cents), 'kpi-refunded', tt.refunded_cents ?? 0),
    kpi(t('admin.ordersPaid'), number(tt.orders_paid), 'kpi-paid', tt.orders_paid ?? 0),
    kpi(t('admin.conversion'), percent(tt.conversion), 'kpi-conversion', tt.conversion ?? 0));

  const events = d.events || [];
  mount($('#events-tbody'), events.length ? events.map(eventRow) : noDataRow(9));
  const rows = events.flatMap((e) => (e.sectors || []).map((sec) => sectorRow(e, sec)));
  mount($('#sectors-tbody'), rows.length ? rows : noDataRow(7));

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
  return h('span', { class: `${cls} shrink-0`, dataset: { testid: 'event-status', status } }, label);
}

function liveLine(ok, when) {
  mount($('#dash-updated'), ok
    ? [liveDot(), h('span', { class: 'font-semibold text-emerald-700' }, t('admin.live')), ' · ', h('span', null, t('admin.updated', { time: timeOnly(when) }))]
    : [h('span', { class: 'inline-flex h-2 w-2 rounded-full bg-slate-400', 'aria-hidden': 'true' }), ' ', t('admin.paused')]);
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
    const body = h('div', { class: 'text-left text-sm' },
      h('p', null, h('span', { class: 'font-semibold' }, `${t('admin.topology')}:`), ' ', h('span', { class: 'badge-blue', dataset: { testid: 'topology' } }, inv.topology)),
      inv.note ? h('p', { class: 'mt-2 rounded-lg bg-slate-50 p-3 text-slate-600' }, inv.note) : null,
      h('div', { class: 'mt-3 max-h-80 overflow-auto' }, h('table', { class: 'table-base' },
        h('thead', { class: 'bg-slate-50' }, h('tr', null,
          h('th', null, t('order.sector')), h('th', { class: 'text-right' }, t('admin.bucket')),
          h('th', { class: 'text-right' }, t('admin.available')), h('th', null, t('admin.shard')))),
        h('tbody', { class: 'divide-y divide-slate-100' }, (inv.buckets || []).map((b) => h('tr', null,
          h('td', null, b.sector),
          h('td', { class: 'text-right tabular-nums' }, String(b.bucket ?? '')),
          h('td', { class: 'text-right tabular-nums' }, `${number(b.available)} / ${number(b.capacity)}`),
          h('td', null, h('code', null, String(b.shard ?? '—')))))))));
    await fire({
      titleText: t('admin.inventoryTitle', { name }),
      width: 720,
      customClass: { confirmButton: 'btn-primary' },
      confirmButtonText: t('common.close'),
      html: body,
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

/** A labelled form field: the <label for> and the control (an element built with h()). */
function field(label, control, hint = '') {
  return h('div', null,
    h('label', { class: 'label', for: control.id }, label, hint ? [' ', h('span', { class: 'font-normal text-slate-600' }, `(${hint})`)] : null),
    control);
}
const input = (props) => h('input', { class: 'input', ...props });

function renderForm(ev = null) {
  editingId = ev?.id || null;
  // The version this edit is based on: sent back as If-Match when it is saved.
  editingVersion = Number.isInteger(ev?.version) ? ev.version : null;
  const f = $('#event-form');
  const val = (v) => (v == null ? '' : String(v));
  mount(f,
    h('div', { class: 'flex flex-wrap items-center justify-between gap-2' },
      h('h2', { class: 'text-lg font-bold text-slate-900', id: 'form-title' }, ev ? t('admin.editEvent') : t('admin.newEvent')),
      ev ? h('button', { type: 'button', class: 'btn-ghost btn-sm', id: 'form-new', onclick: () => renderForm() }, `+ ${t('admin.newEvent')}`) : null),
    h('div', { class: 'grid gap-4 sm:grid-cols-2' },
      h('div', { class: 'sm:col-span-2' }, field(t('admin.name'), input({ id: 'ev-name', required: true, maxlength: 200, value: val(ev?.name) }))),
      h('div', { class: 'sm:col-span-2' }, field(t('admin.description'), h('textarea', { id: 'ev-description', rows: 3, class: 'input', value: val(ev?.description) }), t('admin.optional'))),
      field(t('admin.venue'), input({ id: 'ev-venue', required: true, value: val(ev?.venue) })),
      field(t('admin.startsAt'), input({ id: 'ev-starts', type: 'datetime-local', required: true, value: toLocalInput(ev?.starts_at) })),
      h('div', { class: 'sm:col-span-2' }, field(t('admin.imageUrl'), input({ id: 'ev-image', type: 'url', placeholder: 'https://…', value: val(ev?.image_url) }), t('admin.optional'))),
      field(t('admin.halfShare'), input({ id: 'ev-half', type: 'number', min: 0, max: 100, placeholder: '40', value: val(ev?.half_price_share_percent) })),
      field(t('admin.maxPerOrder'), input({ id: 'ev-max-order', type: 'number', min: 1, placeholder: '6', value: val(ev?.max_per_order) })),
      field(t('admin.maxPerBuyer'), input({ id: 'ev-max-buyer', type: 'number', min: 1, placeholder: t('common.unlimited'), value: val(ev?.max_per_buyer) }), t('admin.optional')),
      field(t('admin.salesEndAt'), input({ id: 'ev-sales-end', type: 'datetime-local', value: toLocalInput(ev?.sales_end_at) }), t('admin.optional'))),
    h('div', null,
      h('div', { class: 'flex items-center justify-between' },
        h('h3', { class: 'font-bold text-slate-900' }, t('admin.sectors')),
        h('button', {
          type: 'button', class: 'btn-secondary btn-sm', id: 'add-sector', dataset: { testid: 'add-sector' },
          onclick: () => { addSector({}); $$('#sectors-editor [data-field=name]').at(-1).focus(); },
        }, `+ ${t('admin.addSector')}`)),
      h('p', { class: 'mt-1 text-xs text-slate-600' }, t('admin.lotsHint')),
      h('div', { id: 'sectors-editor', class: 'mt-3 space-y-3' })),
    h('div', { class: 'flex flex-wrap gap-3 border-t border-slate-100 pt-4' },
      h('button', { type: 'submit', class: 'btn-primary', id: 'save-event', dataset: { testid: 'save-event' } }, t('admin.save')),
      h('button', { type: 'button', class: 'btn-secondary', id: 'reset-form', onclick: () => renderForm() }, t('admin.reset'))));
  const sectors = ev?.sectors?.length ? ev.sectors : [{}];
  sectors.forEach((sec) => addSector(sec));
}

let sectorSeq = 0;
function addSector(sec) {
  const n = ++sectorSeq;
  const box = h('fieldset', { class: 'rounded-xl border border-slate-200 bg-slate-50 p-4', dataset: { testid: 'sector-editor' } },
    h('legend', { class: 'sr-only' }, `${t('admin.sectorName')} ${n}`),
    h('div', { class: 'grid gap-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-end' },
      field(t('admin.sectorName'), input({ id: `s${n}-name`, dataset: { field: 'name' }, required: true, value: sec.name || '' })),
      field(t('admin.price'), input({ id: `s${n}-price`, dataset: { field: 'price' }, inputmode: 'decimal', placeholder: '0,00', value: centsToInput(sec.price_cents) })),
      field(t('admin.capacity'), input({ id: `s${n}-capacity`, dataset: { field: 'capacity' }, type: 'number', min: 1, value: sec.capacity == null ? '' : String(sec.capacity) })),
      h('button', {
        type: 'button', class: 'btn-ghost btn-sm text-rose-700', dataset: { removeSector: '' },
        onclick: () => {
          if ($$('#sectors-editor > fieldset').length > 1) box.remove();
          else alertMsg('warning', t('admin.sectorRequired'));
        },
      }, t('admin.removeSector'))),
    h('div', { class: 'mt-3' },
      h('div', { class: 'space-y-2', dataset: { lots: '' } }),
      h('button', { type: 'button', class: 'mt-2 text-xs font-semibold text-brand-700 hover:underline', dataset: { addLot: '' }, onclick: () => addLot(box, {}) }, `+ ${t('admin.addLot')}`)));
  (sec.lots || []).forEach((l) => addLot(box, l));
  $('#sectors-editor').append(box);
  syncLots(box);
}

let lotSeq = 0;
function addLot(sectorBox, l) {
  const n = ++lotSeq;
  const row = h('div', { class: 'grid gap-2 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-[2fr_1fr_1fr_1.5fr_auto] sm:items-end', dataset: { lot: '' } },
    field(t('admin.lotName'), input({ id: `l${n}-name`, dataset: { lotField: 'name' }, value: l.name || '' })),
    field(t('admin.price'), input({ id: `l${n}-price`, dataset: { lotField: 'price' }, inputmode: 'decimal', value: centsToInput(l.price_cents) })),
    field(t('admin.lotQty'), input({ id: `l${n}-qty`, dataset: { lotField: 'quantity' }, type: 'number', min: 1, value: l.quantity == null ? '' : String(l.quantity) })),
    field(t('admin.lotEnds'), input({ id: `l${n}-ends`, dataset: { lotField: 'ends_at' }, type: 'datetime-local', value: toLocalInput(l.ends_at) }), t('admin.optional')),
    h('button', { type: 'button', class: 'btn-ghost btn-sm text-rose-700', 'aria-label': t('admin.removeLot'), onclick: () => { row.remove(); syncLots(sectorBox); } }, '✕'));
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
    await alertMsg('success', editing ? t('admin.saved') : t('admin.created'), saved?.name || input.name);
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

function listItem(ev) {
  const closing = CLOSING.has(ev.status);
  const act = (name, label, danger = false) => h('button', {
    type: 'button', class: `btn-secondary btn-sm${danger ? ' text-rose-700' : ''}`, dataset: { act: name, id: ev.id },
  }, label);
  const actions = [
    closing ? null : act('edit', t('admin.edit')),
    ev.status === 'deleting' ? null : act('gate', t('admin.gateAction')),
    ev.status === 'active' ? act('pause', t('admin.pause')) : null,
    ev.status === 'paused' ? act('resume', t('admin.resume')) : null,
    closing ? null : act('cancel', t('admin.cancelEvent'), true),
    closing ? null : act('delete', t('admin.delete'), true),
  ].filter(Boolean);
  return h('li', { class: 'p-4', dataset: { testid: 'admin-event', eventId: ev.id, status: ev.status } },
    h('div', { class: 'flex items-start justify-between gap-2' },
      h('div', { class: 'min-w-0' },
        h('p', { class: 'truncate font-semibold text-slate-900', dataset: { testid: 'admin-event-name' } }, ev.name),
        h('p', { class: 'text-xs text-slate-600' }, `${shortDateTime(ev.starts_at)} · ${ev.venue}`),
        ev.sales_end_at ? h('p', { class: 'text-xs text-slate-600' }, t('admin.salesUntil', { when: shortDateTime(ev.sales_end_at) })) : null),
      statusPill(ev.status)),
    actions.length ? h('div', { class: 'mt-3 flex flex-wrap gap-2' }, actions) : null);
}

function renderList() {
  mount($('#admin-events'), adminList.length ? adminList.map(listItem) : h('li', { class: 'p-4 text-sm text-slate-600' }, t('events.empty')));
  renderGatePicker();
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
  if (act === 'gate') {
    selectTab('gate', true);
    setGateEvent(ev.id);
    $('#panel-gate').scrollIntoView({ behavior: 'smooth', block: 'start' });
    return;
  }
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
  if (!(await confirmDialog(confirms[0], confirms[1], { danger: confirms[2], confirmText: confirms[3], cancelText: t('admin.keepAsIs') }))) return;
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

// ---- gate (Portaria) --------------------------------------------------------------------------
// Per event: gate staff accounts (POST /admin/events/{id}/gate-staff) and the live check-in report
// (GET /admin/events/{id}/gate), refreshed like the dashboard while the tab is open.

const GATE_EVENT_KEY = 'bilheteria.admin.gateEvent';
let gateEventId = null;
let gateChart = null;
let gateFailing = null;
let gateSeq = 0;
const createdStaff = [];

function gatePanel() {
  const th = (text, right = false) => h('th', { scope: 'col', class: right ? 'text-right' : null }, text);
  return h('section', { id: 'panel-gate', role: 'tabpanel', 'aria-labelledby': 'tab-gate', class: 'mt-6 space-y-6', hidden: true, dataset: { testid: 'gate-panel' } },
    h('div', { class: 'card flex flex-wrap items-end gap-4 p-5' },
      h('div', { class: 'min-w-[16rem] flex-1' },
        h('label', { class: 'label', for: 'gate-event-pick' }, t('admin.gateEvent')),
        h('select', { id: 'gate-event-pick', class: 'input', dataset: { testid: 'gate-event-pick' } }, h('option', { value: '' }, t('gate.pickEvent')))),
      h('a', { id: 'gate-open', class: 'btn-primary', href: 'gate.html', dataset: { testid: 'gate-open' } }, t('admin.gateOpen'))),
    h('div', { id: 'gate-unavailable', hidden: true, class: 'rounded-2xl border border-amber-200 bg-amber-50 p-5 text-amber-900', role: 'status', dataset: { testid: 'gate-unavailable' } }),
    h('div', { id: 'gate-body', class: 'space-y-6', hidden: true },
      h('dl', { id: 'gate-kpis', class: 'grid grid-cols-1 gap-3 sm:grid-cols-3 sm:gap-4' }),
      h('div', { class: 'grid gap-6 lg:grid-cols-3' },
        h('div', { class: 'card p-5 lg:col-span-2' },
          h('h2', { class: 'font-bold text-slate-900' }, t('admin.gatePerMinute')),
          h('div', { class: 'relative mt-4 h-64' }, h('canvas', { id: 'gate-chart', role: 'img', 'aria-label': t('admin.gatePerMinute') })),
          h('p', { id: 'gate-chart-empty', class: 'mt-2 text-sm text-slate-600', hidden: true }, t('admin.gateNoEntries'))),
        h('div', { class: 'card overflow-hidden' },
          h('h2', { class: 'p-5 pb-3 font-bold text-slate-900' }, t('admin.gatePerGate')),
          h('table', { class: 'table-base', dataset: { testid: 'gate-per-gate' } },
            h('thead', { class: 'bg-slate-50' }, h('tr', null, th(t('admin.gateName')), th(t('admin.gateEntries'), true))),
            h('tbody', { id: 'gate-per-gate', class: 'divide-y divide-slate-100' })))),
      h('div', { class: 'card overflow-hidden' },
        h('div', { class: 'p-5 pb-3' },
          h('h2', { class: 'font-bold text-slate-900' }, t('admin.gateConflicts')),
          h('p', { class: 'mt-1 text-sm text-slate-600' }, t('admin.gateConflictsHint'))),
        h('div', { class: 'overflow-x-auto' }, h('table', { class: 'table-base', dataset: { testid: 'gate-conflicts' } },
          h('thead', { class: 'bg-slate-50' }, h('tr', null,
            th(t('admin.gateTicket')), th(t('admin.gateFirst')), th(t('admin.gateFirstAt')), th(t('admin.gateSecond')), th(t('admin.gateSecondAt')))),
          h('tbody', { id: 'gate-conflicts', class: 'divide-y divide-slate-100' }))))),
    h('form', { id: 'gate-staff-form', class: 'card space-y-4 p-5 sm:p-6', novalidate: true, dataset: { testid: 'gate-staff-form' } },
      h('div', null,
        h('h2', { class: 'text-lg font-bold text-slate-900' }, t('admin.gateStaffTitle')),
        h('p', { class: 'mt-1 text-sm text-slate-600' }, t('admin.gateStaffHint'))),
      h('div', { class: 'grid gap-4 sm:grid-cols-3' },
        field(t('admin.gateStaffName'), input({ id: 'gs-name', required: true, maxlength: 120, autocomplete: 'off' })),
        field(t('auth.email'), input({ id: 'gs-email', type: 'email', required: true, autocomplete: 'off' })),
        field(t('auth.password'), input({ id: 'gs-password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password' }))),
      h('button', { type: 'submit', id: 'gs-submit', class: 'btn-primary', dataset: { testid: 'gate-staff-submit' } }, t('admin.gateStaffCreate')),
      h('ul', { id: 'gate-staff-list', class: 'divide-y divide-slate-100 text-sm', dataset: { testid: 'gate-staff-list' } })));
}

function wireGatePanel() {
  $('#gate-event-pick').addEventListener('change', (e) => setGateEvent(e.target.value || null));
  $('#gate-staff-form').addEventListener('submit', createStaff);
  gateEventId = (() => { try { return localStorage.getItem(GATE_EVENT_KEY); } catch { return null; } })();
  updateGateLink();
}

function renderGatePicker() {
  const select = $('#gate-event-pick');
  if (!select) return;
  const events = adminList.filter((e) => e.status !== 'deleting');
  if (gateEventId && !events.some((e) => e.id === gateEventId)) gateEventId = null;
  mount(select, h('option', { value: '' }, t('gate.pickEvent')),
    events.map((e) => h('option', { value: e.id, selected: e.id === gateEventId }, `${e.name} · ${shortDateTime(e.starts_at)}`)));
  select.value = gateEventId || '';
  updateGateLink();
}

function setGateEvent(id) {
  gateEventId = id;
  try { if (id) localStorage.setItem(GATE_EVENT_KEY, id); else localStorage.removeItem(GATE_EVENT_KEY); } catch { /* storage unavailable */ }
  const select = $('#gate-event-pick');
  if (select) select.value = id || '';
  gateFailing = null;
  updateGateLink();
  $('#gate-body').hidden = true;
  loadGateReport();
}

function updateGateLink() {
  const a = $('#gate-open');
  if (a) a.href = gateEventId ? `gate.html?event=${encodeURIComponent(gateEventId)}` : 'gate.html';
  const submit = $('#gs-submit');
  if (submit) submit.disabled = !gateEventId;
}

const minuteLabel = (m) => {
  const d = typeof m === 'number' ? new Date(m < 1e12 ? m * 1000 : m) : new Date(m);
  return Number.isNaN(d.getTime()) ? String(m) : new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(d);
};

function renderGateReport(r) {
  const issued = Number(r.issued) || 0;
  const checked = Number(r.checked_in) || 0;
  mount($('#gate-kpis'),
    kpi(t('admin.gateCheckedIn'), `${number(checked)} / ${number(issued)}`, 'gate-checked-in', checked),
    kpi(t('admin.gateIssued'), number(issued), 'gate-issued', issued),
    kpi(t('admin.gateNoShows'), number(r.no_shows), 'gate-no-shows', Number(r.no_shows) || 0));
  const perGate = Array.isArray(r.per_gate) ? r.per_gate : [];
  mount($('#gate-per-gate'), perGate.length
    ? perGate.map((g) => h('tr', { dataset: { gate: g.gate } }, h('td', { class: 'font-medium' }, g.gate), num(number(g.count))))
    : noDataRow(2, 'admin.gateNoEntries'));
  const conflicts = Array.isArray(r.conflicts) ? r.conflicts : [];
  mount($('#gate-conflicts'), conflicts.length
    ? conflicts.map((c) => h('tr', { dataset: { ticketId: c.ticket_id } },
      h('td', null, h('code', { class: 'text-xs' }, c.ticket_id)),
      h('td', { class: 'font-medium' }, c.first?.gate || '—'), h('td', null, shortDateTime(c.first?.at)),
      h('td', { class: 'font-medium' }, c.second?.gate || '—'), h('td', null, shortDateTime(c.second?.at))))
    : noDataRow(5, 'admin.gateNoConflicts'));
  renderGateChart(Array.isArray(r.per_minute) ? r.per_minute.slice(-90) : []);
}

function renderGateChart(points) {
  $('#gate-chart-empty').hidden = points.some((p) => p.count > 0);
  const labels = points.map((p) => minuteLabel(p.minute));
  const counts = points.map((p) => Number(p.count) || 0);
  if (!window.Chart) return;
  if (!gateChart) {
    gateChart = new window.Chart($('#gate-chart'), {
      type: 'bar',
      data: { labels, datasets: [{ label: t('admin.gateEntries'), data: counts, backgroundColor: 'rgba(5,150,105,.8)', borderRadius: 4, maxBarThickness: 48 }] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } } },
      },
    });
  } else {
    gateChart.data.labels = labels;
    gateChart.data.datasets[0].data = counts;
    gateChart.update('none');
  }
}

async function loadGateReport() {
  if (!gateEventId || $('#panel-gate')?.hidden) return;
  const id = gateEventId;
  const seq = ++gateSeq;
  try {
    const r = await api.gateReport(id);
    if (seq !== gateSeq || id !== gateEventId) return;
    gateFailing = null;
    $('#gate-unavailable').hidden = true;
    $('#gate-body').hidden = false;
    renderGateReport(r);
  } catch (err) {
    if (seq !== gateSeq) return;
    if (err instanceof ApiError && err.notBuilt) {
      const box = $('#gate-unavailable');
      box.hidden = false;
      box.textContent = t('admin.gateUnavailable', { status: err.status });
    } else if (!gateFailing) {
      showError(err);
    }
    gateFailing = err;
  }
}

async function createStaff(e) {
  e.preventDefault();
  const form = e.currentTarget;
  if (!gateEventId) { alertMsg('warning', t('gate.pickEvent')); return; }
  if (!form.reportValidity()) return;
  const btn = $('#gs-submit');
  btn.disabled = true;
  const input = { name: $('#gs-name').value.trim(), email: $('#gs-email').value.trim(), password: $('#gs-password').value };
  try {
    const staff = await api.createGateStaff(gateEventId, input);
    createdStaff.unshift({ ...input, ...staff, event: adminList.find((x) => x.id === gateEventId)?.name || '' });
    mount($('#gate-staff-list'), createdStaff.map((s) => h('li', { class: 'flex flex-wrap justify-between gap-2 py-2', dataset: { testid: 'gate-staff' } },
      h('span', { class: 'font-medium text-slate-900' }, s.name), h('span', { class: 'text-slate-600' }, `${s.email} · ${s.event}`))));
    form.reset();
    toast('success', t('admin.gateStaffCreated', { email: staff?.email || input.email }));
  } catch (err) {
    showError(err, { context: 'signup' });
  } finally {
    btn.disabled = false;
    updateGateLink();
  }
}

// ---- boot -----------------------------------------------------------------------------------------

await initPage();
if (requireLogin()) {
  if (!session.isAdmin) {
    mount(root, h('div', { class: 'card mx-auto max-w-lg p-10 text-center' },
      h('p', { class: 'text-lg font-semibold text-slate-800', dataset: { testid: 'forbidden' } }, t('admin.forbidden')),
      h('a', { class: 'btn-primary mt-4', href: 'index.html' }, t('nav.events'))));
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
    wireGatePanel();
    await Promise.all([loadDashboard(), loadList()]);
    loadGateReport();
    every(DASHBOARD_REFRESH_MS, loadDashboard);
    every(DASHBOARD_REFRESH_MS, loadGateReport);
  }
}
