// The dashboard's sales chart (Chart.js): tickets (bars) and revenue (line) per minute over
// the last hour, or per day over the last 30 days. The server sends only the minutes and days
// that had sales; the chart fills the others with zero, so its time axis is continuous and
// evenly spaced (one bar per minute / per day).
import { t, money, number, locale } from '../i18n.js';
import { h } from '../dom.js';

const $ = (sel) => document.querySelector(sel);

const MINUTE = 60_000;
const DAY = 86_400_000;

export const SCALES = {
  // The last 60 minutes, in the admin's own time.
  minute: { unit: MINUTE, count: 60, key: 'sales_per_minute', heading: 'admin.salesPerMinute', fmt: { hour: '2-digit', minute: '2-digit' } },
  // The last 30 days. The server counts days in UTC ($dateTrunc), so they are labelled in UTC.
  day: { unit: DAY, count: 30, key: 'sales_per_day', heading: 'admin.salesPerDay', fmt: { day: '2-digit', month: '2-digit', timeZone: 'UTC' } },
};

/**
 * `count` consecutive buckets of `unit` ms ending at the one holding `end` (ms): each point the
 * server sent (`{ at, tickets, revenue_cents }`) in its bucket, zero where it sent none.
 */
export function fillSeries(points, { unit, count, end }) {
  const last = Math.floor(end / unit) * unit;
  const byBucket = new Map();
  for (const p of points || []) {
    const at = Date.parse(p.at);
    if (Number.isNaN(at)) continue;
    const b = Math.floor(at / unit) * unit;
    const prev = byBucket.get(b) || { tickets: 0, revenue_cents: 0 };
    byBucket.set(b, { tickets: prev.tickets + (Number(p.tickets) || 0), revenue_cents: prev.revenue_cents + (Number(p.revenue_cents) || 0) });
  }
  const out = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    const at = last - i * unit;
    const p = byBucket.get(at);
    out.push({ at, tickets: p?.tickets || 0, revenue_cents: p?.revenue_cents || 0 });
  }
  return out;
}

let chart = null;
let scale = 'minute';
let lastData = null;

/** The chart's card: title, the per minute / per day switch, the canvas. */
export function salesChartCard() {
  const toggle = (name, key) => h('button', {
    type: 'button', class: 'rounded-md px-3 py-1 text-xs font-semibold', 'aria-pressed': String(name === scale), dataset: { scale: name, testid: `chart-${name}` },
    onclick: () => { scale = name; paintToggle(); if (lastData) renderSalesChart(lastData); },
  }, t(key));
  return h('div', { class: 'card p-5' },
    h('div', { class: 'flex flex-wrap items-center justify-between gap-3' },
      h('h2', { id: 'spm-title', class: 'font-bold text-slate-900' }, t(SCALES[scale].heading)),
      h('div', { class: 'inline-flex rounded-lg border border-slate-200 p-0.5', role: 'group', 'aria-label': t('admin.chartScale') },
        toggle('minute', 'admin.perMinute'), toggle('day', 'admin.perDay'))),
    h('div', { class: 'relative mt-4 h-64' }, h('canvas', { id: 'spm-chart', role: 'img', 'aria-label': t(SCALES[scale].heading) })),
    h('p', { id: 'spm-empty', class: 'mt-2 text-sm text-slate-600', hidden: true }, t('admin.noData')));
}

function paintToggle() {
  for (const b of document.querySelectorAll('[data-scale]')) {
    const on = b.dataset.scale === scale;
    b.setAttribute('aria-pressed', String(on));
    b.className = `rounded-md px-3 py-1 text-xs font-semibold ${on ? 'bg-brand-600 text-white' : 'text-slate-700 hover:bg-slate-100'}`;
  }
  $('#spm-title').textContent = t(SCALES[scale].heading);
  $('#spm-chart').setAttribute('aria-label', t(SCALES[scale].heading));
}

/** Draws (or redraws) the chart from a dashboard answer. */
export function renderSalesChart(d) {
  lastData = d;
  paintToggle();
  const s = SCALES[scale];
  const end = Date.parse(d.generated_at) || Date.now();
  const points = fillSeries(d[s.key] || [], { unit: s.unit, count: s.count, end });
  $('#spm-empty').hidden = points.some((p) => p.tickets > 0);
  const fmt = new Intl.DateTimeFormat(locale(), s.fmt);
  const labels = points.map((p) => fmt.format(new Date(p.at)));
  const tickets = points.map((p) => p.tickets);
  const revenue = points.map((p) => p.revenue_cents / 100);
  const canvas = $('#spm-chart');
  // The instants plotted, for whoever reads the chart without drawing it (the browser tests).
  canvas.dataset.from = new Date(points[0].at).toISOString();
  canvas.dataset.step = String(s.unit);
  if (!window.Chart) return;
  if (!chart) {
    chart = new window.Chart(canvas, {
      data: {
        labels,
        datasets: [
          { type: 'bar', label: t('admin.tickets'), data: tickets, backgroundColor: 'rgba(33,71,237,.75)', borderRadius: 4, yAxisID: 'y' },
          { type: 'line', label: t('admin.revenueSeries'), data: revenue, borderColor: '#d97706', backgroundColor: 'rgba(245,158,11,.15)', tension: 0.3, cubicInterpolationMode: 'monotone', pointRadius: 0, yAxisID: 'y1', fill: true },
        ],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { position: 'bottom', labels: { color: '#334155' } },
          tooltip: { callbacks: { label: (c) => (c.dataset.yAxisID === 'y1' ? `${c.dataset.label}: ${money(c.raw * 100)}` : `${c.dataset.label}: ${number(c.raw)}`) } },
        },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0, color: '#475569' }, title: { display: true, text: t('admin.tickets'), color: '#475569' } },
          y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, ticks: { color: '#475569', callback: (v) => money(v * 100) } },
          x: { ticks: { color: '#475569', maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } },
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
