// The event page's summary: on a desktop a card beside the form (sticky under the header); on
// a phone a bar fixed to the bottom of the screen with the selection in one line, the total
// and the one "Reservar" button — so the buyer never scrolls to find the price or the button.
// One element for both layouts (one button, one total): only its styling changes at `lg`.
// The page fills the ids (#sum-*, #quote-note) and wires the button (a submit of #buy-form).
import { t } from './i18n.js';
import { h } from './dom.js';

const row = (label, id, cls = 'font-medium text-right') => h('div', { class: 'flex justify-between gap-2' },
  h('dt', { class: 'text-slate-600' }, label), h('dd', { id, class: `min-w-0 break-words ${cls}` }, '—'));

export function buySummary(loggedIn) {
  return h('div', {
    id: 'buy-summary',
    dataset: { testid: 'buy-summary' },
    class: [
      // Phone: the bottom bar.
      'fixed inset-x-0 bottom-0 z-20 border-t border-slate-200 bg-white px-4 py-3 shadow-[0_-4px_16px_rgba(15,23,42,0.12)]',
      // Desktop: the card beside the form.
      'lg:sticky lg:inset-x-auto lg:bottom-auto lg:top-24 lg:z-auto lg:rounded-2xl lg:border lg:p-6 lg:shadow-sm',
    ].join(' '),
  },
  h('h2', { class: 'hidden text-lg font-bold text-slate-900 lg:block' }, t('event.summary')),
  h('dl', { class: 'mt-4 hidden space-y-2 text-sm lg:block' },
    row(t('order.sector'), 'sum-sector'),
    row(t('order.type'), 'sum-type'),
    row(t('order.quantity'), 'sum-qty'),
    row(t('order.lot'), 'sum-lot'),
    row(t('order.unit'), 'sum-unit')),
  h('div', { class: 'mx-auto flex max-w-6xl items-center justify-between gap-3 lg:mt-3 lg:block lg:border-t lg:border-slate-200 lg:pt-3' },
    h('div', { class: 'min-w-0 flex-1' },
      h('p', { id: 'sum-line', class: 'truncate text-xs text-slate-700 lg:hidden', dataset: { testid: 'summary-line' } }),
      h('p', { class: 'flex items-baseline gap-2 lg:justify-between' },
        // On a phone the line above says what the amount is for; the word "Total" is for screen readers.
        h('span', { class: 'sr-only text-sm font-semibold text-slate-900 lg:not-sr-only lg:text-base' }, t('event.total')),
        h('span', { id: 'sum-total', class: 'whitespace-nowrap text-lg font-extrabold text-slate-900 lg:text-xl', dataset: { testid: 'total' }, 'aria-live': 'polite' }, '—'))),
    h('button', {
      type: 'submit', form: 'buy-form', id: 'reserve-btn', class: 'btn-primary shrink-0 px-4 py-3 text-sm sm:text-base lg:mt-5 lg:w-full', dataset: { testid: 'reserve' },
    }, loggedIn ? t('event.reserve') : t('event.loginToBuy'))),
  h('p', { id: 'quote-note', class: 'mt-2 text-xs text-slate-700', 'aria-live': 'polite', dataset: { testid: 'quote-note' } }),
  h('p', { class: 'mt-3 hidden text-center text-xs text-slate-600 lg:block' }, t('event.holdNote')));
}
