// Shared UI: page bootstrap, header and footer, SweetAlert2 messages, API error mapping,
// availability badges and QR codes.
//
// Nothing here (or in the pages) writes HTML strings into the page: elements are built with
// h() from dom.js, so user-typed names reach the DOM as text. SweetAlert2 is only used through
// fire() below, which refuses its HTML options given as strings (title / html / footer …) and
// escapes the button captions (SweetAlert2 parses those as HTML).
import Swal from '../vendor/sweetalert2.esm.all.min.js';
import qrcode from '../vendor/qrcode.mjs';
import { session, flash, setUnauthorizedHandler, ApiError, api } from './api.js';
import { t, has, getLang, setLang, applyI18n, number, locale, timeOnly, LANGS } from './i18n.js';
import { h, mount, icon, safeUrl } from './dom.js';
import { problemMessage } from './problems.js';
import { isOutage } from './connection.js';

export { Swal };
export { h, mount } from './dom.js';

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** HTML-escapes a string. Only for the few places a library wants HTML (SweetAlert2 captions). */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

// ---- SweetAlert2, text only -------------------------------------------------------------------

const swalBase = {
  confirmButtonText: 'OK',
  buttonsStyling: false,
  customClass: {
    confirmButton: 'btn-primary mx-1',
    cancelButton: 'btn-secondary mx-1',
    denyButton: 'btn-danger mx-1',
    popup: 'rounded-2xl',
    validationMessage: 'text-rose-800',
  },
};

// Options SweetAlert2 renders as HTML when given a string.
const HTML_OPTIONS = ['title', 'html', 'footer', 'iconHtml', 'closeButtonHtml', 'loaderHtml', 'validationMessage'];
const CAPTIONS = ['confirmButtonText', 'cancelButtonText', 'denyButtonText'];

/**
 * Swal.fire with text only: `titleText` and `text` are text; `html` may be a DOM node (built
 * with h()); a string in any HTML option is a programming error; captions are escaped.
 */
export function fire(options) {
  // While "your session has expired" is up, nothing replaces it (the page is about to go to
  // the login page): other dialogs resolve as dismissed.
  if (sessionModalOpen && !options.toast && !options.sessionModal) return Promise.resolve({ isConfirmed: false, isDismissed: true, dismiss: 'session' });
  const { sessionModal: _s, ...rest } = options;
  const o = { ...swalBase, ...rest, customClass: { ...swalBase.customClass, ...(rest.customClass || {}) } };
  for (const k of HTML_OPTIONS) {
    if (typeof o[k] === 'string') throw new Error(`fire(): ${k} must not be an HTML string (use titleText / text / a node)`);
  }
  for (const k of CAPTIONS) if (o[k] != null) o[k] = esc(o[k]);
  return Swal.fire(o);
}

/** Shows a validation message under a SweetAlert2 input, as text. */
export function validation(text) {
  Swal.showValidationMessage(esc(text));
}

export function alertMsg(icon, title, text = '', extra = {}) {
  return fire({ icon, titleText: title, text, confirmButtonText: t('common.ok'), ...extra });
}

export function toast(icon, title) {
  return fire({
    toast: true, position: 'top-end', icon, titleText: title, showConfirmButton: false, timer: 2500, timerProgressBar: true,
  });
}

export async function confirmDialog(title, text, { danger = false, confirmText, cancelText } = {}) {
  const r = await fire({
    icon: danger ? 'warning' : 'question',
    titleText: title,
    text,
    showCancelButton: true,
    focusCancel: danger,
    confirmButtonText: confirmText || t('common.confirm'),
    cancelButtonText: cancelText || t('common.cancel'),
    customClass: { confirmButton: `${danger ? 'btn-danger' : 'btn-primary'} mx-1` },
  });
  return r.isConfirmed;
}

// ---- errors ---------------------------------------------------------------------------------------

/** "em 14 minutos (às 15:32)" / "in 14 minutes (at 3:32 PM)" for a wait of `seconds`. */
export function whenAgain(seconds) {
  const s = Number(seconds);
  if (!Number.isFinite(s) || s < 0) return t('time.later');
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  let rel;
  if (s < 60) rel = rtf.format(Math.max(1, Math.ceil(s)), 'second');
  else if (s < 3600) rel = rtf.format(Math.ceil(s / 60), 'minute');
  else rel = rtf.format(Math.round(s / 3600), 'hour');
  const at = new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(new Date(Date.now() + s * 1000));
  return `${rel} (${t('time.at', { time: at })})`;
}

/**
 * The buyer-language explanation of an API error: the message for its `code`, else a generic
 * one by status class (never the server's English `detail`, never "HTTP nnn"); '' for an
 * error that is not an API answer.
 */
export function problemText(err) {
  if (!(err instanceof ApiError)) return '';
  return problemMessage(err, { vars: { when: whenAgain(err.retryAfter) } });
}

/** Codes meaning "these tickets cannot be had now" (the order context's title). */
const UNAVAILABLE_CODES = new Set(['sold_out', 'fewer_left', 'half_share_sold_out', 'fewer_half_left', 'sales_closed', 'sales_paused', 'event_cancelled', 'sales_reopening']);

/** The buyer-language title for an API error. `context` refines 409s (e.g. 'order'). */
export function errorTitle(err, context) {
  if (!(err instanceof ApiError)) return t('error.generic');
  if (err.network) return t('error.network');
  if (err.code === 'buyer_limit') return t('error.buyerLimit');
  if (err.code === 'price_changed') return t('price.changedTitle');
  if (err.notBuilt) return t('error.405');
  const s = err.status;
  if (context === 'order' && UNAVAILABLE_CODES.has(err.code)) return t('error.409.order');
  if ([400, 401, 403, 404, 405, 409, 422, 429].includes(s)) return t(`error.${s}`);
  if (s >= 500) return t('error.5xx');
  return t('error.generic');
}

/** The body of an error dialog: the explanation in the buyer's language (all text nodes). */
function errorBody(err, context, technical) {
  let lead = problemText(err);
  if (err instanceof ApiError && !err.code) {
    // An answer without a code (an older server, a proxy): the page's context says more.
    if (err.notBuilt) lead = t('error.notBuilt');
    else if (err.status === 401 && context === 'login') lead = t('error.loginFailed');
    else if (err.status === 409 && context === 'signup') lead = t('error.emailTaken');
    else if (err.status === 409 && context === 'order') lead = t('error.soldOut');
  }
  if (!lead) lead = t('error.fallback.4xx');
  const api = err instanceof ApiError ? err : null;
  return h('div', { dataset: { testid: 'error-body' } },
    h('p', { class: 'mb-2', dataset: { testid: 'error-lead' } }, lead),
    technical && api && !api.network ? h('details', { class: 'mt-3 text-left text-sm text-slate-700', dataset: { testid: 'error-technical' } },
      h('summary', { class: 'cursor-pointer font-medium' }, t('error.technical')),
      h('dl', { class: 'mt-2 space-y-1 break-words' },
        [['status', api.status], ['code', api.code], ['detail', api.detail], ['request_id', api.problem?.request_id]]
          .filter(([, v]) => v != null && v !== '')
          .map(([k, v]) => h('div', null, h('dt', { class: 'inline font-mono' }, `${k}: `), h('dd', { class: 'inline' }, String(v)))))) : null);
}

/**
 * Shows any error as a SweetAlert2 message: mapped title and explanation. `background`: a
 * refresh nobody asked for — an outage is then left to the connection banner. `technical`:
 * fold the server's detail in (for staff pages only; buyers never see it).
 */
export function showError(err, { context, titleText, background = false, technical = false } = {}) {
  console.error(err);
  if (err?.name === 'AbortError') return Promise.resolve();
  if (background && isOutage(err)) return Promise.resolve();
  return fire({ icon: 'error', titleText: titleText || errorTitle(err, context), html: errorBody(err, context, technical), confirmButtonText: t('common.ok') });
}

// ---- session and header -------------------------------------------------------------------

let pageNeedsLogin = false;
let sessionModalOpen = false;
setUnauthorizedHandler(() => {
  renderHeader();
  if (sessionModalOpen) return;
  if (!pageNeedsLogin) {
    // A public page (events, an event): say so and carry on logged out.
    toast('warning', t('auth.sessionEnded'));
    return;
  }
  sessionModalOpen = true;
  fire({
    sessionModal: true, icon: 'warning', titleText: t('auth.sessionExpired'), text: t('auth.sessionExpiredText'),
    confirmButtonText: t('nav.login'), allowOutsideClick: false, allowEscapeKey: false,
  }).then(() => { location.href = loginUrl(); });
});

export function loginUrl() {
  const here = location.pathname.split('/').pop() + location.search;
  return `login.html?next=${encodeURIComponent(here || 'index.html')}`;
}

/** Sends visitors without a session to the login page (and back here afterwards). */
export function requireLogin() {
  pageNeedsLogin = true;
  if (session.loggedIn) return true;
  flash.set('info', 'auth.loginRequired');
  location.replace(loginUrl());
  return false;
}

function navLink(href, key, current) {
  return h('a', { class: 'nav-link', href, 'aria-current': current === href ? 'page' : null, dataset: { nav: href } }, t(key));
}

let headerKey = null;

export function renderHeader() {
  const header = $('#site-header');
  if (!header) return;
  const current = location.pathname.split('/').pop() || 'index.html';
  const user = session.loggedIn ? session.user : null;
  headerKey = JSON.stringify([user?.id, user?.name, user?.role, getLang()]);
  const links = [];
  if (user?.role === 'gate') {
    // Gate staff only scan: the gate is all they are shown.
    links.push(navLink('gate.html', 'nav.gate', current));
  } else {
    links.push(navLink('index.html', 'nav.events', current));
    if (user) links.push(navLink('orders.html', 'nav.orders', current), navLink('tickets.html', 'nav.tickets', current));
    // Admins reach the gate from the console (Portaria tab → "Abrir a portaria").
    if (user?.role === 'admin') links.push(navLink('admin.html', 'nav.admin', current));
  }
  const account = user
    ? [
      h('span', { class: 'hidden text-sm text-slate-300 lg:inline', dataset: { testid: 'user-name' } },
        t('nav.hello', { name: user.name?.split(' ')[0] || user.email })),
      user.role === 'gate' ? null : h('a', { class: 'nav-link', href: 'account.html', 'aria-current': current === 'account.html' ? 'page' : null, dataset: { nav: 'account.html', testid: 'nav-account' } }, t('nav.account')),
      h('button', { type: 'button', class: 'nav-link text-left', id: 'logout-btn', dataset: { testid: 'logout' }, onclick: logout }, t('nav.logout')),
    ]
    : [
      h('a', { class: 'nav-link', href: 'login.html', dataset: { testid: 'nav-login' } }, t('nav.login')),
      h('a', { class: 'btn-sm btn bg-white text-brand-800 hover:bg-brand-50', href: 'signup.html', dataset: { testid: 'nav-signup' } }, t('nav.signup')),
    ];
  const lang = getLang();
  const select = h('select', {
    id: 'lang-select', dataset: { testid: 'lang-select' },
    class: 'rounded-md border border-white/20 bg-slate-800 px-2 py-1 text-sm text-white focus:outline-none focus:ring-2 focus:ring-brand-400',
    onchange: (e) => switchLanguage(e.target.value),
  }, h('option', { value: 'pt', selected: lang === 'pt' }, 'PT-BR'), h('option', { value: 'en', selected: lang === 'en' }, 'EN'));
  const nav = h('nav', {
    id: 'main-nav', 'aria-label': t('nav.menu'),
    class: 'absolute inset-x-0 top-16 hidden flex-col gap-1 border-t border-white/10 bg-slate-900 p-3 md:static md:flex md:flex-row md:items-center md:border-0 md:bg-transparent md:p-0',
  }, links,
  h('span', { class: 'mx-1 hidden h-6 w-px bg-white/20 md:block', 'aria-hidden': 'true' }),
  account,
  h('label', { class: 'flex items-center gap-2 px-3 py-2 text-sm text-slate-300 md:px-1' }, h('span', { class: 'md:sr-only' }, t('nav.language')), select));
  const menuBtn = h('button', {
    type: 'button', id: 'menu-btn', class: 'nav-link md:hidden', 'aria-expanded': 'false', 'aria-controls': 'main-nav',
    onclick: () => {
      const open = menuBtn.getAttribute('aria-expanded') !== 'true';
      menuBtn.setAttribute('aria-expanded', String(open));
      nav.classList.toggle('hidden', !open);
      nav.classList.toggle('flex', open);
    },
  }, icon('menu', 'h-5 w-5'), h('span', { class: 'sr-only' }, t('nav.menu')));
  header.className = 'sticky top-0 z-30 bg-slate-900/95 text-white shadow backdrop-blur';
  mount(header,
    h('a', { href: '#main', class: 'sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900' }, t('nav.skip')),
    h('div', { class: 'container-page flex h-16 items-center justify-between gap-3' },
      h('a', {
        href: user?.role === 'gate' ? 'gate.html' : 'index.html', class: 'flex items-center gap-2 text-lg font-extrabold tracking-tight',
        'aria-label': `${t('app.name')} — ${t(user?.role === 'gate' ? 'nav.gate' : 'nav.events')}`,
      },
        h('span', { 'aria-hidden': 'true', class: 'grid h-9 w-9 place-items-center rounded-xl bg-gradient-to-br from-brand-500 to-fuchsia-500 text-white shadow' }, icon('ticket', 'h-5 w-5')),
        h('span', null, t('app.name'))),
      menuBtn,
      nav));
}

/**
 * Changes the UI language and, for a logged-in user, tells the server (the e-mails follow it);
 * a failure there does not stop the switch. Then the page is drawn again in the new language.
 */
async function switchLanguage(lang) {
  setLang(lang);
  if (session.loggedIn) {
    const told = api.setLanguage(LANGS[lang === 'en' ? 'en' : 'pt']).catch(() => {});
    await Promise.race([told, new Promise((r) => { setTimeout(r, 2000); })]);
  }
  location.reload();
}

/** Logs out (server and memory) and goes to the event list. */
export async function logout() {
  const btn = $('#logout-btn');
  if (btn) btn.disabled = true;
  try {
    await api.logout();
    flash.set('success', 'auth.loggedOut');
    location.href = 'index.html';
  } catch (err) {
    renderHeader();
    showError(err, { titleText: t('auth.logoutFailed') });
  }
}

function renderFooter() {
  const footer = $('#site-footer');
  if (!footer) return;
  footer.className = 'mt-16 border-t border-slate-200 bg-white';
  mount(footer, h('div', { class: 'container-page flex flex-col items-center justify-between gap-2 py-6 text-sm text-slate-600 sm:flex-row' },
    h('p', null, t('footer.text')),
    h('a', { class: 'rounded hover:text-brand-700', href: 'docs' }, t('footer.docs'))));
}

/**
 * Common bootstrap for every page: language, footer, the session restored from the refresh
 * cookie (awaited, so pages render logged-in UI only once it is known), header, flash message.
 */
export async function initPage() {
  applyI18n();
  renderFooter();
  window.addEventListener('unhandledrejection', (e) => {
    if (e.reason instanceof ApiError) { e.preventDefault(); showError(e.reason); }
  });
  await session.ready;
  renderHeader();
  // Re-render the header when who is logged in changes (not on every silent token refresh).
  session.onChange((user) => {
    const key = JSON.stringify([user?.id, user?.name, user?.role, getLang()]);
    if (key !== headerKey) renderHeader();
  });
  const f = flash.take();
  if (f) toast(f.kind, t(f.key, f.vars || {}));
}

// ---- domain helpers -------------------------------------------------------------------------

/** { key, cls, text } describing a sector's availability. */
export function availability(sector, eventStatus) {
  if (eventStatus === 'cancelled' || eventStatus === 'cancelling') return { key: 'cancelled', cls: 'badge-slate', text: t('avail.cancelled') };
  const available = Number(sector.available ?? 0);
  const capacity = Number(sector.capacity ?? 0);
  if (available <= 0) return { key: 'soldout', cls: 'badge-red', text: t('avail.soldout') };
  if (eventStatus === 'paused') return { key: 'paused', cls: 'badge-slate', text: t('avail.paused') };
  if (capacity > 0 && available <= capacity * 0.1) return { key: 'last', cls: 'badge-amber', text: t('avail.last') };
  return { key: 'available', cls: 'badge-green', text: t('avail.available', { n: number(available) }) };
}

/** The availability badge of a sector. */
export function availabilityBadge(sector, eventStatus, extraClass = '') {
  const a = availability(sector, eventStatus);
  return h('span', { class: `${a.cls}${extraClass ? ` ${extraClass}` : ''}`, dataset: { testid: 'availability', availability: a.key } }, a.text);
}

/** An <img> with the QR code of `text` (data URL), with alt text. */
export function qrImage(text, alt, size = 200) {
  const qr = qrcode(0, 'M');
  qr.addData(String(text));
  qr.make();
  const cells = qr.getModuleCount() + 8;
  const cell = Math.max(2, Math.floor(size / cells));
  return h('img', {
    src: qr.createDataURL(cell, cell * 4), alt, width: cell * cells, height: cell * cells,
    class: 'h-auto max-w-full [image-rendering:pixelated]',
  });
}

export function statusBadge(status) {
  const cls = {
    reserved: 'badge-amber', payment_pending: 'badge-blue', paid: 'badge-green',
    cancelled: 'badge-slate', expired: 'badge-slate', refunded: 'badge-slate',
  }[status] || 'badge-slate';
  const key = `order.status.${status}`;
  return h('span', { class: cls, dataset: { testid: 'order-status', status } }, has(key) ? t(key) : String(status));
}

/** Runs `fn` every `ms` while the tab is visible (and once right away when it becomes visible). */
export function every(ms, fn) {
  let timer = null;
  const start = () => { if (!timer) timer = setInterval(fn, ms); };
  const stop = () => { clearInterval(timer); timer = null; };
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) stop(); else { fn(); start(); }
  });
  if (!document.hidden) start();
  return stop;
}

const PALETTES = ['from-brand-700 via-brand-600 to-fuchsia-500', 'from-emerald-700 via-teal-600 to-cyan-500', 'from-rose-700 via-pink-600 to-amber-500', 'from-violet-800 via-purple-600 to-brand-500', 'from-slate-800 via-slate-700 to-brand-600'];

/** A placeholder gradient + initials (also what a broken image turns into). */
function placeholderImage(ev, cls, alt) {
  let n = 0;
  for (const c of ev.id || ev.name || '') n = (n * 31 + c.charCodeAt(0)) >>> 0;
  const initials = String(ev.name || '?').split(/\s+/).filter((w) => w.length > 2).slice(0, 2).map((w) => w[0]).join('').toUpperCase();
  return h('div', { role: 'img', 'aria-label': alt, class: `${cls} relative w-full overflow-hidden bg-gradient-to-br ${PALETTES[n % PALETTES.length]}` },
    h('div', { 'aria-hidden': 'true', class: 'absolute -right-6 -top-10 h-40 w-40 rounded-full bg-white/10' }),
    h('div', { 'aria-hidden': 'true', class: 'absolute -bottom-12 left-8 h-32 w-32 rounded-full bg-white/10' }),
    h('span', { 'aria-hidden': 'true', class: 'absolute bottom-3 left-4 text-4xl font-black tracking-tight text-white/90' }, initials));
}

/** The event's picture (http(s) image_url only), or the placeholder. */
export function eventImage(ev, cls = 'h-40') {
  const alt = t('events.imageAlt', { name: ev.name });
  const src = safeUrl(ev.image_url);
  if (!src) return placeholderImage(ev, cls, alt);
  const img = h('img', { src, alt, loading: 'lazy', class: `${cls} w-full object-cover`, referrerpolicy: 'no-referrer' });
  img.addEventListener('error', () => img.replaceWith(placeholderImage(ev, cls, alt)), { once: true });
  return img;
}

export { timeOnly };
