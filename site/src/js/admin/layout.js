// The console's frame: the title, the "live" line and the tabs (Painel ao vivo, Eventos,
// Fila de espera, Portaria, Auditoria), each showing its panel. A tab's module may ask to be told when its
// panel is shown (onTabShown), e.g. to load what it lists.
import { t } from '../i18n.js';
import { $, $$, h, mount } from '../ui.js';
import { TABS } from './state.js';

const shownHandlers = {};

/** Calls `fn` whenever the tab `name` is selected. */
export function onTabShown(name, fn) {
  (shownHandlers[name] ||= []).push(fn);
}

const tabKey = (name) => `admin.tab${name[0].toUpperCase()}${name.slice(1)}`;

/** Mounts the frame in `root` with the panels ({ dashboard, events, queue, gate, audit } → nodes). */
export function buildLayout(root, panels) {
  const tab = (name) => h('button', {
    type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}`, dataset: { tab: name },
    class: 'rounded-lg px-3 py-2 text-sm font-semibold sm:px-4',
  }, t(tabKey(name)));
  // Five tabs: two columns on a phone, a row from sm up.
  const tablist = h('div', {
    role: 'tablist', 'aria-label': t('admin.title'),
    class: 'grid w-full grid-cols-2 gap-1 rounded-xl border border-slate-200 bg-white p-1 shadow-sm sm:inline-flex sm:w-auto',
  }, TABS.map(tab));
  mount(root,
    h('div', { class: 'flex flex-wrap items-end justify-between gap-4' },
      h('div', { class: 'min-w-0' },
        h('h1', { class: 'text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl' }, t('admin.title')),
        h('p', { id: 'dash-updated', class: 'mt-1 flex items-center gap-2 text-sm text-slate-600', 'aria-live': 'polite' })),
      tablist),
    TABS.map((name) => panels[name]));

  $$('[role=tab]', tablist).forEach((b) => b.addEventListener('click', () => selectTab(b.dataset.tab, true)));
  tablist.addEventListener('keydown', (e) => {
    const keys = { ArrowLeft: -1, ArrowRight: 1, Home: 'first', End: 'last' };
    if (!(e.key in keys) || !e.target.dataset.tab) return;
    e.preventDefault();
    const at = TABS.indexOf(e.target.dataset.tab);
    const step = keys[e.key];
    let next;
    if (step === 'first') next = TABS[0];
    else if (step === 'last') next = TABS[TABS.length - 1];
    else next = TABS[(at + step + TABS.length) % TABS.length];
    selectTab(next, true);
    $(`#tab-${next}`).focus();
  });
}

/** Shows the tab `name` (and its panel); `push` records it in the address (#events). */
export function selectTab(name, push = false) {
  if (!TABS.includes(name)) name = TABS[0];
  for (const b of $$('[role=tab]')) {
    const on = b.dataset.tab === name;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    b.className = `rounded-lg px-3 py-2 text-sm font-semibold sm:px-4 ${on ? 'bg-brand-600 text-white shadow' : 'text-slate-700 hover:bg-slate-100'}`;
  }
  for (const tab of TABS) {
    const panel = $(`#panel-${tab}`);
    if (panel) panel.hidden = name !== tab;
  }
  if (push) history.replaceState(null, '', `#${name}`);
  for (const fn of shownHandlers[name] || []) fn();
}

/** The tab shown now. */
export function currentTab() {
  return $$('[role=tab]').find((b) => b.getAttribute('aria-selected') === 'true')?.dataset.tab || TABS[0];
}

/** A panel's section element (role tabpanel, labelled by its tab). */
export function panel(name, props, ...children) {
  return h('section', {
    id: `panel-${name}`, role: 'tabpanel', 'aria-labelledby': `tab-${name}`, tabindex: '0', hidden: true, ...props,
  }, children);
}
