// Shared UI: page bootstrap, header and footer, SweetAlert2 messages, API error mapping,
// availability badges and QR codes.
import Swal from '../vendor/sweetalert2.esm.all.min.js';
import qrcode from '../vendor/qrcode.mjs';
import { api, session, flash, setUnauthorizedHandler, ApiError } from './api.js';
import { t, getLang, setLang, applyI18n, number } from './i18n.js';

export { Swal };

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

const swalBase = {
  confirmButtonText: 'OK',
  buttonsStyling: false,
  customClass: {
    confirmButton: 'btn-primary mx-1',
    cancelButton: 'btn-secondary mx-1',
    denyButton: 'btn-danger mx-1',
    popup: 'rounded-2xl',
  },
};

// Titles and texts are given to SweetAlert2 as text (titleText / text), never as HTML: they may
// carry names typed by users (events, sectors).
export function alertMsg(icon, title, text = '', extra = {}) {
  return Swal.fire({ ...swalBase, icon, titleText: title, text, confirmButtonText: t('common.ok'), ...extra });
}

export function toast(icon, title) {
  return Swal.fire({
    toast: true, position: 'top-end', icon, titleText: title, showConfirmButton: false, timer: 2500, timerProgressBar: true,
  });
}

export async function confirmDialog(title, text, { danger = false, confirmText } = {}) {
  const r = await Swal.fire({
    ...swalBase,
    icon: danger ? 'warning' : 'question',
    titleText: title,
    text,
    showCancelButton: true,
    focusCancel: danger,
    confirmButtonText: confirmText || t('common.confirm'),
    cancelButtonText: t('common.cancel'),
    customClass: { ...swalBase.customClass, confirmButton: `${danger ? 'btn-danger' : 'btn-primary'} mx-1` },
  });
  return r.isConfirmed;
}

/** The buyer-language title for an API error. `context` refines 409s (e.g. 'order'). */
export function errorTitle(err, context) {
  if (!(err instanceof ApiError)) return t('error.generic');
  if (err.network) return t('error.network');
  if (err.notBuilt) return t('error.405');
  const s = err.status;
  if (s === 409 && context === 'order') return t('error.409.order');
  if ([400, 401, 403, 404, 405, 409, 422, 429].includes(s)) return t(`error.${s}`);
  if (s >= 500) return t('error.5xx');
  return t('error.generic');
}

/** Shows any error as a SweetAlert2 message: mapped title, explanation, and the server's detail. */
export function showError(err, { context, title } = {}) {
  console.error(err);
  if (err?.name === 'AbortError') return Promise.resolve();
  let lead = '';
  if (err instanceof ApiError) {
    if (err.network) lead = t('error.networkText');
    else if (err.notBuilt) lead = t('error.notBuilt');
    else if (err.status === 409 && context === 'order') lead = t('error.soldOut');
    else if (err.status === 401 && context === 'login') lead = t('error.loginFailed');
    else if (err.status === 409 && context === 'signup') lead = t('error.emailTaken');
  }
  const detail = err instanceof ApiError ? err.detail : String(err?.message || err);
  const html = `${lead ? `<p class="mb-2">${esc(lead)}</p>` : ''}${detail && !err?.network
    ? `<p class="text-sm text-slate-500"><span class="font-medium">${esc(t('error.detail'))}</span> <span data-testid="error-detail">${esc(detail)}</span>${err?.status ? ` <span class="whitespace-nowrap">(HTTP ${esc(err.status)})</span>` : ''}</p>`
    : ''}`;
  return Swal.fire({ ...swalBase, icon: 'error', titleText: title || errorTitle(err, context), html, confirmButtonText: t('common.ok') });
}

// ---- session and header -------------------------------------------------------------------

let unauthorizedShown = false;
setUnauthorizedHandler(() => {
  session.clear();
  if (unauthorizedShown) return;
  unauthorizedShown = true;
  renderHeader();
  Swal.fire({
    ...swalBase, icon: 'warning', title: t('auth.sessionExpired'), text: t('auth.sessionExpiredText'),
    confirmButtonText: t('nav.login'),
  }).then(() => { location.href = loginUrl(); });
});

export function loginUrl() {
  const here = location.pathname.split('/').pop() + location.search;
  return `login.html?next=${encodeURIComponent(here || 'index.html')}`;
}

/** Sends visitors without a session to the login page (and back here afterwards). */
export function requireLogin() {
  if (session.loggedIn) return true;
  flash.set('info', 'auth.loginRequired');
  location.replace(loginUrl());
  return false;
}

function navLink(href, key, current) {
  const active = current === href ? ' aria-current="page"' : '';
  return `<a class="nav-link" href="${href}"${active} data-nav="${href}">${esc(t(key))}</a>`;
}

export function renderHeader() {
  const header = $('#site-header');
  if (!header) return;
  const current = location.pathname.split('/').pop() || 'index.html';
  const user = session.loggedIn ? session.user : null;
  const links = [navLink('index.html', 'nav.events', current)];
  if (user) links.push(navLink('orders.html', 'nav.orders', current));
  if (user?.role === 'admin') links.push(navLink('admin.html', 'nav.admin', current));
  const account = user
    ? `<span class="hidden text-sm text-slate-300 lg:inline" data-testid="user-name">${esc(t('nav.hello', { name: user.name?.split(' ')[0] || user.email }))}</span>
       <button type="button" class="nav-link" id="logout-btn" data-testid="logout">${esc(t('nav.logout'))}</button>`
    : `<a class="nav-link" href="login.html" data-testid="nav-login">${esc(t('nav.login'))}</a>
       <a class="btn-sm btn bg-white text-brand-800 hover:bg-brand-50" href="signup.html" data-testid="nav-signup">${esc(t('nav.signup'))}</a>`;
  const lang = getLang();
  header.className = 'sticky top-0 z-30 bg-slate-900/95 text-white shadow backdrop-blur';
  header.innerHTML = `
    <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900">${esc(t('nav.skip'))}</a>
    <div class="container-page flex h-16 items-center justify-between gap-3">
      <a href="index.html" class="flex items-center gap-2 text-lg font-extrabold tracking-tight" aria-label="${esc(t('app.name'))} — ${esc(t('nav.events'))}">
        <span aria-hidden="true" class="grid h-9 w-9 place-items-center rounded-xl bg-gradient-to-br from-brand-500 to-fuchsia-500 text-white shadow">
          <svg viewBox="0 0 24 24" class="h-5 w-5" fill="none" stroke="currentColor" stroke-width="2"><path d="M3 8a2 2 0 0 0 2-2h14a2 2 0 0 0 2 2v2a2 2 0 0 0 0 4v2a2 2 0 0 0-2 2H5a2 2 0 0 0-2-2v-2a2 2 0 0 0 0-4z"/><path d="M13 6v12" stroke-dasharray="2 2"/></svg>
        </span>
        <span>${esc(t('app.name'))}</span>
      </a>
      <button type="button" id="menu-btn" class="nav-link md:hidden" aria-expanded="false" aria-controls="main-nav">
        <svg aria-hidden="true" viewBox="0 0 24 24" class="h-5 w-5" fill="none" stroke="currentColor" stroke-width="2"><path d="M4 6h16M4 12h16M4 18h16"/></svg>
        <span class="sr-only">${esc(t('nav.menu'))}</span>
      </button>
      <nav id="main-nav" aria-label="${esc(t('nav.menu'))}" class="absolute inset-x-0 top-16 hidden flex-col gap-1 border-t border-white/10 bg-slate-900 p-3 md:static md:flex md:flex-row md:items-center md:border-0 md:bg-transparent md:p-0">
        ${links.join('')}
        <span class="mx-1 hidden h-6 w-px bg-white/20 md:block" aria-hidden="true"></span>
        ${account}
        <label class="flex items-center gap-2 px-3 py-2 text-sm text-slate-300 md:px-1">
          <span class="md:sr-only">${esc(t('nav.language'))}</span>
          <select id="lang-select" data-testid="lang-select" class="rounded-md border border-white/20 bg-slate-800 px-2 py-1 text-sm text-white focus:outline-none focus:ring-2 focus:ring-brand-400">
            <option value="pt"${lang === 'pt' ? ' selected' : ''}>PT-BR</option>
            <option value="en"${lang === 'en' ? ' selected' : ''}>EN</option>
          </select>
        </label>
      </nav>
    </div>`;
  const menuBtn = $('#menu-btn');
  const nav = $('#main-nav');
  menuBtn.addEventListener('click', () => {
    const open = menuBtn.getAttribute('aria-expanded') !== 'true';
    menuBtn.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('hidden', !open);
    nav.classList.toggle('flex', open);
  });
  $('#lang-select').addEventListener('change', (e) => {
    setLang(e.target.value);
    location.reload();
  });
  $('#logout-btn')?.addEventListener('click', () => {
    session.clear();
    flash.set('success', 'auth.loggedOut');
    location.href = 'index.html';
  });
}

function renderFooter() {
  const footer = $('#site-footer');
  if (!footer) return;
  footer.className = 'mt-16 border-t border-slate-200 bg-white';
  footer.innerHTML = `<div class="container-page flex flex-col items-center justify-between gap-2 py-6 text-sm text-slate-500 sm:flex-row">
    <p>${esc(t('footer.text'))}</p>
    <a class="rounded hover:text-brand-700" href="docs">${esc(t('footer.docs'))}</a></div>`;
}

/** Common bootstrap for every page: language, header, footer, flash message, session check. */
export async function initPage() {
  if (session.expired) {
    session.clear();
    flash.set('warning', 'auth.sessionExpired');
  }
  applyI18n();
  renderHeader();
  renderFooter();
  const f = flash.take();
  if (f) toast(f.kind, t(f.key, f.vars || {}));
  window.addEventListener('unhandledrejection', (e) => {
    if (e.reason instanceof ApiError) { e.preventDefault(); showError(e.reason); }
  });
  if (session.loggedIn) {
    // Refresh the user (role changes, deleted account); a 401 logs out with a message.
    try {
      const me = await api.me();
      session.setUser(me);
      renderHeader();
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) showError(err);
    }
  }
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

/** An <img> with the QR code of `text` (data URL), with alt text. */
export function qrImage(text, alt, size = 200) {
  const qr = qrcode(0, 'M');
  qr.addData(String(text));
  qr.make();
  const cells = qr.getModuleCount() + 8;
  const cell = Math.max(2, Math.floor(size / cells));
  const img = document.createElement('img');
  img.src = qr.createDataURL(cell, cell * 4);
  img.alt = alt;
  img.width = cell * cells;
  img.height = cell * cells;
  img.className = 'h-auto max-w-full [image-rendering:pixelated]';
  return img;
}

export function statusBadge(status) {
  const cls = {
    reserved: 'badge-amber', payment_pending: 'badge-blue', paid: 'badge-green',
    cancelled: 'badge-slate', expired: 'badge-slate', refunded: 'badge-slate',
  }[status] || 'badge-slate';
  return `<span class="${cls}" data-testid="order-status" data-status="${esc(status)}">${esc(t(`order.status.${status}`))}</span>`;
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

/** A placeholder gradient + initials when the event has no image. */
export function eventImage(ev, cls = 'h-40') {
  const alt = t('events.imageAlt', { name: ev.name });
  if (ev.image_url) {
    return `<img src="${esc(ev.image_url)}" alt="${esc(alt)}" loading="lazy" class="${cls} w-full object-cover" onerror="this.replaceWith(Object.assign(document.createElement('div'),{className:'${cls} w-full bg-gradient-to-br from-brand-700 to-fuchsia-600',role:'img',ariaLabel:this.alt}))">`;
  }
  const palettes = ['from-brand-700 via-brand-600 to-fuchsia-500', 'from-emerald-700 via-teal-600 to-cyan-500', 'from-rose-700 via-pink-600 to-amber-500', 'from-violet-800 via-purple-600 to-brand-500', 'from-slate-800 via-slate-700 to-brand-600'];
  let h = 0;
  for (const c of ev.id || ev.name || '') h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const initials = (ev.name || '?').split(/\s+/).filter((w) => w.length > 2).slice(0, 2).map((w) => w[0]).join('').toUpperCase();
  return `<div role="img" aria-label="${esc(alt)}" class="${cls} relative w-full overflow-hidden bg-gradient-to-br ${palettes[h % palettes.length]}">
    <div aria-hidden="true" class="absolute -right-6 -top-10 h-40 w-40 rounded-full bg-white/10"></div>
    <div aria-hidden="true" class="absolute -bottom-12 left-8 h-32 w-32 rounded-full bg-white/10"></div>
    <span aria-hidden="true" class="absolute bottom-3 left-4 text-4xl font-black tracking-tight text-white/90">${esc(initials)}</span></div>`;
}
