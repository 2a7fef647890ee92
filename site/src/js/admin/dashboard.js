// The live dashboard (GET /admin/dashboard, refreshed every few seconds): the KPIs, the sales
// chart, the per-event table (with each event's stock window and orders export) and the
// per-sector table. On a phone both tables become cards.
import { api, ApiError } from '../api.js';
import { t, money, number, percent, timeOnly } from '../i18n.js';
import { $, h, mount } from '../ui.js';
import { liveDot } from '../dom.js';
import { panel } from './layout.js';
import { stackTable, th, row, cell, rowHead, emptyRow } from './table.js';
import { salesChartCard, renderSalesChart } from './sales-chart.js';
import { showInventory } from './inventory.js';
import { downloadCsv } from './csv.js';
import { showAdminError } from './errors.js';

let failing = null;

/** The status of an event as a coloured pill. */
export function statusPill(status) {
  const cls = {
    active: 'badge-green', paused: 'badge-amber', cancelling: 'badge-amber', deleting: 'badge-amber', cancelled: 'badge-red',
  }[status] || 'badge-slate';
  const key = `admin.status.${status}`;
  const label = t(key) === key ? status : t(key);
  return h('span', { class: `${cls} shrink-0`, dataset: { testid: 'event-status', status } }, label);
}

/** A KPI tile; `raw` (a number) goes in data-value for whoever reads it without formatting. */
export function kpi(label, value, testid, raw) {
  return h('div', { class: 'kpi' }, h('dt', { class: '!text-slate-600' }, label), h('dd', { class: 'max-sm:!text-lg max-[420px]:!text-base', dataset: { testid, value: raw } }, value));
}

const COLS = {
  events: () => [
    [t('orders.event')], [t('admin.status')], [t('admin.sold'), true], [t('admin.held'), true], [t('admin.available'), true],
    [t('admin.gross'), true], [t('admin.refundedTotal'), true], [t('admin.conversion'), true], [t('admin.actions')],
  ],
  sectors: () => [
    [t('orders.event')], [t('order.sector')], [t('admin.capacity'), true], [`${t('admin.sold')} (${t('admin.full')}/${t('admin.half')})`, true],
    [t('admin.held'), true], [t('admin.available'), true], [t('admin.gross'), true],
  ],
};
const heads = (cols) => cols.map(([label, right]) => th(label, { right: Boolean(right), wrap: true }));

export function dashboardPanel() {
  return panel('dashboard', { class: 'mt-6 space-y-6', dataset: { testid: 'dashboard' } },
    h('div', { id: 'dash-unavailable', hidden: true, class: 'rounded-2xl border border-amber-200 bg-amber-50 p-5 text-amber-900', role: 'status', dataset: { testid: 'dash-unavailable' } }),
    h('dl', { id: 'kpis', class: 'grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4' }),
    salesChartCard(),
    h('div', { class: 'card overflow-hidden' },
      h('h2', { class: 'p-5 pb-3 font-bold text-slate-900' }, t('admin.perEvent')),
      stackTable({ testid: 'events-table', tbodyId: 'events-tbody', heads: heads(COLS.events()), label: t('admin.perEvent') })),
    h('div', { class: 'card overflow-hidden' },
      h('h2', { class: 'p-5 pb-3 font-bold text-slate-900' }, t('admin.perSector')),
      stackTable({ testid: 'sectors-table', tbodyId: 'sectors-tbody', heads: heads(COLS.sectors()), label: t('admin.perSector') })));
}

function eventRow(e) {
  const [name, status, sold, held, available, gross, refunded, conversion, actions] = COLS.events().map(([label]) => label);
  const button = (label, data, testid) => h('button', { type: 'button', class: 'btn-secondary btn-sm whitespace-nowrap', dataset: { ...data, name: e.name, testid } }, label);
  return row({ dataset: { eventId: e.id } },
    rowHead(h('span', { class: 'block min-w-[8rem] max-w-[14rem] whitespace-normal break-words max-md:max-w-none' }, e.name)),
    cell(status, statusPill(e.status)),
    cell(sold, number(e.tickets_sold), { right: true }), cell(held, number(e.tickets_held), { right: true }),
    cell(available, number(e.tickets_available), { right: true }), cell(gross, money(e.gross_revenue_cents), { right: true }),
    cell(refunded, money(e.refunded_cents), { right: true }), cell(conversion, percent(e.conversion), { right: true }),
    cell(actions, h('div', { class: 'flex max-w-[15rem] flex-wrap justify-end gap-1.5 md:justify-start' },
      button(t('admin.inventory'), { inventory: e.id }, 'inventory'),
      button(t('admin.csvExcel'), { csv: e.id, format: 'excel' }, 'csv-excel'),
      button(t('admin.csvRaw'), { csv: e.id, format: 'raw' }, 'csv-raw'))));
}

function sectorRow(e, sec) {
  const [event, sector, capacity, sold, held, available, gross] = COLS.sectors().map(([label]) => label);
  const full = sec.by_price_type?.full?.tickets_sold ?? 0;
  const half = sec.by_price_type?.half?.tickets_sold ?? 0;
  return row(null,
    cell(event, h('span', { class: 'block max-w-[14rem] whitespace-normal break-words max-md:max-w-none' }, e.name)),
    cell(sector, sec.name, { cls: 'font-medium' }),
    cell(capacity, number(sec.capacity), { right: true }),
    cell(sold, [number(sec.tickets_sold), ' ', h('span', { class: 'text-slate-600' }, `(${number(full)}/${number(half)})`)], { right: true }),
    cell(held, number(sec.tickets_held), { right: true }), cell(available, number(sec.tickets_available), { right: true }),
    cell(gross, money(sec.gross_revenue_cents), { right: true }));
}

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
  mount($('#events-tbody'), events.length ? events.map(eventRow) : emptyRow(9, t('admin.noData')));
  const rows = events.flatMap((e) => (e.sectors || []).map((sec) => sectorRow(e, sec)));
  mount($('#sectors-tbody'), rows.length ? rows : emptyRow(7, t('admin.noData')));
  renderSalesChart(d);
}

function liveLine(ok, when) {
  mount($('#dash-updated'), ok
    ? [liveDot(), h('span', { class: 'font-semibold text-emerald-800' }, t('admin.live')), ' · ', h('span', null, t('admin.updated', { time: timeOnly(when) }))]
    : [h('span', { class: 'inline-flex h-2 w-2 rounded-full bg-slate-400', 'aria-hidden': 'true' }), ' ', t('admin.paused')]);
}

export async function loadDashboard() {
  try {
    const d = await api.dashboard();
    failing = null;
    $('#dash-unavailable').hidden = true;
    renderDashboard(d);
    liveLine(true, d.generated_at ? new Date(d.generated_at) : new Date());
  } catch (err) {
    liveLine(false);
    if (err instanceof ApiError && err.notBuilt) {
      const box = $('#dash-unavailable');
      box.hidden = false;
      box.textContent = t('admin.unavailable', { status: err.status });
    } else if (!failing) {
      showAdminError(err);
    }
    failing = err;
  }
}

/** The per-event table's buttons: the stock window and the two exports. */
export function wireDashboard() {
  $('#events-tbody').addEventListener('click', (e) => {
    const inv = e.target.closest('[data-inventory]');
    const csv = e.target.closest('[data-csv]');
    if (inv) showInventory(inv.dataset.inventory, inv.dataset.name);
    if (csv) downloadCsv(csv.dataset.csv, csv.dataset.name, csv.dataset.format, csv);
  });
}
