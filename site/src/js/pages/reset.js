// reset.html — "Esqueci minha senha".
//   Without a token: asks for the e-mail and sends POST /auth/password-reset, which always
//   answers 202 (whether or not an account has that address, so the page cannot be used to
//   find accounts): "if an account exists, we sent a link".
//   With ?token= (or #token=, the e-mail's link): asks for the new password twice and sends
//   POST /auth/password-reset/confirm → 204, then goes to the login page with a success
//   message. A bad, expired or used link says so and offers to ask for a new one; a weak
//   password is explained beside the field.
// The token is taken out of the address bar as soon as it is read (history, screenshots).
import { api, flash, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { initPage, $, h, mount, problemText, param } from '../ui.js';
import { icon, spinner } from '../dom.js';

const LINK_CODES = ['reset_link_invalid', 'reset_link_expired', 'reset_link_used'];
const root = $('#reset-root');

function readToken() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  const token = param('token') || fromHash;
  if (token) history.replaceState(null, '', location.pathname);
  return token;
}

const title = (key) => h('h1', { class: 'text-2xl font-extrabold tracking-tight text-slate-900' }, t(key));
const field = (id, label, input, hint) => h('div', null, h('label', { class: 'label', for: id }, label), input,
  hint ? h('p', { id: `${id}-hint`, class: 'mt-1 text-xs text-slate-700' }, hint) : null);
const alertBox = () => h('div', { id: 'reset-error', role: 'alert', class: 'text-sm font-medium text-rose-800', dataset: { testid: 'reset-error' } });
const backToLogin = () => h('p', { class: 'mt-6 text-center text-sm text-slate-700' },
  h('a', { class: 'font-semibold text-brand-700 hover:underline', href: 'login.html' }, t('reset.backToLogin')));

function busy(btn, on, label) {
  btn.disabled = on;
  if (on) mount(btn, spinner(), t('account.working'));
  else mount(btn, label);
}

/** Step 1: the e-mail. */
function renderAsk(prefill = '') {
  const email = h('input', { class: 'input', id: 'email', name: 'email', type: 'email', autocomplete: 'email', required: true, value: prefill });
  const btn = h('button', { class: 'btn-primary w-full py-3', type: 'submit', dataset: { testid: 'reset-request' } }, t('reset.send'));
  const form = h('form', { class: 'mt-6 space-y-4', novalidate: true },
    field('email', t('auth.email'), email), alertBox(), btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    busy(btn, true);
    try {
      await api.requestPasswordReset(email.value.trim());
      renderSent(email.value.trim());
    } catch (err) {
      $('#reset-error').textContent = problemText(err) || t('error.generic');
      busy(btn, false, t('reset.send'));
    }
  });
  mount(root, title('reset.title'), h('p', { class: 'mt-1 text-sm text-slate-700' }, t('reset.askText')), form, backToLogin());
  email.focus();
}

/** After step 1: the same answer whether or not the account exists. */
function renderSent(email) {
  mount(root, title('reset.sentTitle'),
    h('div', { class: 'mt-4 flex items-start gap-3 rounded-xl bg-emerald-50 p-4 text-emerald-900', role: 'status', dataset: { testid: 'reset-sent' } },
      icon('mail', 'h-5 w-5 shrink-0'), h('p', null, t('reset.sentText', { email }))),
    h('p', { class: 'mt-4 text-sm text-slate-700' }, t('reset.sentHint')),
    backToLogin());
}

/** Step 2 (from the e-mail's link): the new password, twice. */
function renderChoose(token) {
  const pass = h('input', { class: 'input', id: 'new-password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 256, 'aria-describedby': 'new-password-hint' });
  const again = h('input', { class: 'input', id: 'new-password-again', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 256 });
  const btn = h('button', { class: 'btn-primary w-full py-3', type: 'submit', dataset: { testid: 'reset-confirm' } }, t('reset.save'));
  const form = h('form', { class: 'mt-6 space-y-4', novalidate: true },
    field('new-password', t('account.newPassword'), pass, t('auth.passwordHint')),
    field('new-password-again', t('account.confirmPassword'), again),
    alertBox(), btn);
  for (const input of [pass, again]) input.addEventListener('input', () => again.setCustomValidity(''));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    again.setCustomValidity(pass.value && again.value !== pass.value ? t('account.passwordMismatch') : '');
    if (!form.reportValidity()) return;
    busy(btn, true);
    try {
      await api.confirmPasswordReset(token, pass.value);
      flash.set('success', 'reset.done');
      location.href = 'login.html';
    } catch (err) {
      busy(btn, false, t('reset.save'));
      if (err instanceof ApiError && LINK_CODES.includes(err.code)) { renderBadLink(err); return; }
      $('#reset-error').textContent = problemText(err) || t('error.generic');
      if (err instanceof ApiError && err.code === 'weak_password') pass.focus();
    }
  });
  mount(root, title('reset.chooseTitle'), h('p', { class: 'mt-1 text-sm text-slate-700' }, t('reset.chooseText')), form, backToLogin());
  pass.focus();
}

/** The link cannot be used (invalid, expired, already used): why, and a new one in one click. */
function renderBadLink(err) {
  mount(root, title('reset.badLinkTitle'),
    h('p', { class: 'mt-4 rounded-xl bg-rose-50 p-4 text-rose-900', role: 'alert', dataset: { testid: 'reset-bad-link', code: err.code } }, problemText(err)),
    h('button', { type: 'button', class: 'btn-primary mt-6 w-full py-3', dataset: { testid: 'reset-again' }, onclick: () => renderAsk() }, t('reset.askAgain')),
    backToLogin());
}

await initPage();
const token = readToken();
if (token) renderChoose(token);
else renderAsk();
// A link opened while this page is already open only changes the #fragment: no reload.
window.addEventListener('hashchange', () => {
  const fresh = readToken();
  if (fresh) renderChoose(fresh);
});
