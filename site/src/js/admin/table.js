// Tables that stay tables on wide screens and become a stack of cards on a phone (below md):
// the header row is kept for screen readers only and every cell shows its column's name
// before its value (a CSS ::before reading data-label, so names stay text).
import { h } from '../dom.js';

const CARD = {
  table: 'table-base max-md:block',
  thead: 'bg-slate-50 max-md:sr-only',
  tbody: 'divide-y divide-slate-100 max-md:block',
  tr: 'max-md:block max-md:py-2',
  cell: 'max-md:flex max-md:items-baseline max-md:justify-between max-md:gap-4 max-md:!whitespace-normal max-md:py-1 max-md:text-right max-md:[overflow-wrap:anywhere] '
    + 'max-md:before:shrink-0 max-md:before:text-left max-md:before:text-xs max-md:before:font-semibold max-md:before:uppercase '
    + 'max-md:before:tracking-wide max-md:before:text-slate-600 max-md:before:content-[attr(data-label)]',
};

/** A column header. `wrap`: the header may break into two lines (narrow numeric columns). */
export function th(text, { right = false, wrap = false } = {}) {
  const cls = [right ? 'text-right' : null, wrap ? 'whitespace-normal' : null].filter(Boolean).join(' ');
  return h('th', { scope: 'col', class: cls || null }, text);
}

/**
 * A table (cards on a phone): `heads` are th() cells, `tbodyId` the body to fill with rows of
 * cell() / rowHead(). Wrapped so that a table wider than its card scrolls inside it.
 */
export function stackTable({ testid, tbodyId, heads, label }) {
  return h('div', { class: 'overflow-x-auto max-md:overflow-visible' },
    h('table', { class: CARD.table, dataset: { testid }, 'aria-label': label || null },
      h('thead', { class: CARD.thead }, h('tr', null, heads)),
      h('tbody', { id: tbodyId, class: CARD.tbody })));
}

/** A row of a stackTable. */
export function row(props, ...cells) {
  return h('tr', { ...props, class: [CARD.tr, props?.class].filter(Boolean).join(' ') }, cells);
}

/** A cell labelled with its column's name (shown before it on a phone). */
export function cell(label, content, { right = false, cls = '' } = {}) {
  // Several pieces stay one value (one flex item) on a phone.
  const value = Array.isArray(content) ? h('span', null, content) : content;
  return h('td', { class: [CARD.cell, right ? 'text-right tabular-nums' : null, cls].filter(Boolean).join(' '), 'data-label': label }, value);
}

/** The row's header cell (an event's name): a card's title on a phone. */
export function rowHead(content, cls = '') {
  return h('th', {
    scope: 'row',
    class: `px-3 py-2 text-left text-sm font-semibold normal-case tracking-normal text-slate-900 max-md:block max-md:!whitespace-normal ${cls}`,
  }, content);
}

/** The one row of an empty table. */
export function emptyRow(cols, text) {
  return h('tr', { class: 'max-md:block' }, h('td', { colspan: cols, class: 'py-6 text-center text-slate-600 max-md:block max-md:!whitespace-normal' }, text));
}
