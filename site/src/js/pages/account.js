// account.html — the buyer's account: name, e-mail (verified or not, resend the link), CPF (set
// once, then read-only), change password, log out, delete the account.
import { api, session, flash, ApiError } from '../api.js';
import { t } from '../i18n.js';
import {
  initPage, $, h, mount, requireLogin, showError, toast, fire, validation, confirmDialog, problemText, errorTitle, logout, Swal,
} from '../ui.js';
import { icon } from '../dom.js';
import { attachCpfMask, isValidCpf, formatCpf } from '../cpf.js';
import { resendVerification } from '../prompts.js';

const root = $('#account-root');
let user = null;

const card = (id, title, ...body) => h('section', { id, class: 'card p-5 sm:p-6', 'aria-labelledby': `${id}-title` },
  h('h2', { id: `${id}-title`, class: 'text-lg font-bold text-slate-900', tabindex: '-1' }, title), body);

const row = (label, ...value) => h('div', { class: 'flex flex-col gap-1 py-3 sm:flex-row sm:items-start sm:justify-between sm:gap-4' },
  h('dt', { class: 'text-sm font-medium text-slate-600' }, label),
  h('dd', { class: 'min-w-0 text-sm text-slate-900 sm:text-right' }, value));

/** A field with its label and an optional hint (aria-describedby). */
function field(id, label, props, hint) {
  return h('div', null,
    h('label', { class: 'label', for: id }, label),
    h('input', { class: 'input', id, name: id, 'aria-describedby': hint ? `${id}-hint` : null, ...props }),
    hint ? h('p', { id: `${id}-hint`, class: 'mt-1 text-xs text-slate-600' }, hint) : null);
}

// ---- profile ------------------------------------------------------------------------------

function profileCard() {
  const verified = Boolean(user.email_verified);
  const badge = verified
    ? h('span', { class: 'badge-green', dataset: { testid: 'email-verified', verified: 'true' } }, icon('check', 'h-3 w-3'), t('account.verified'))
    : h('span', { class: 'badge-amber', dataset: { testid: 'email-verified', verified: 'false' } }, t('account.unverified'));
  const roleKey = `account.role.${user.role}`;
  return card('profile', t('account.profile'),
    h('dl', { class: 'mt-2 divide-y divide-slate-100' },
      row(t('account.name'), h('span', { dataset: { testid: 'account-name' } }, user.name)),
      row(t('account.email'),
        h('span', { class: 'flex flex-wrap items-center gap-2 break-all sm:justify-end' }, h('span', { dataset: { testid: 'account-email' } }, user.email), badge)),
      row(t('account.role'), t(roleKey) === roleKey ? String(user.role) : t(roleKey))),
    verified ? null : h('div', { class: 'mt-3 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900', role: 'status' },
      h('p', null, t('account.unverifiedText')),
      h('button', {
        type: 'button', class: 'btn-secondary mt-3', dataset: { testid: 'resend-verification' },
        onclick: async (e) => {
          const b = e.currentTarget;
          b.disabled = true;
          await resendVerification();
          await reloadUser();
          b.disabled = false;
        },
      }, icon('mail'), t('account.resend'))));
}

// ---- CPF --------------------------------------------------------------------------------------

function cpfCard() {
  if (user.cpf) {
    return card('cpf', t('account.cpf'),
      h('p', { class: 'mt-3 font-mono text-lg font-semibold text-slate-900', dataset: { testid: 'account-cpf' } }, formatCpf(user.cpf)),
      h('p', { class: 'mt-1 text-sm text-slate-600' }, t('account.cpfFixed')));
  }
  const form = h('form', { class: 'mt-3 space-y-3', novalidate: true, dataset: { testid: 'cpf-form' } },
    h('p', { class: 'text-sm text-slate-600' }, h('span', { class: 'font-medium text-slate-800' }, `${t('account.cpfNone')}. `), t('account.cpfOnce')),
    field('cpf-input', t('account.cpf'), { type: 'text', placeholder: '000.000.000-00', required: true, dataset: { testid: 'account-cpf-input' } }),
    h('button', { type: 'submit', class: 'btn-primary', dataset: { testid: 'cpf-save' } }, t('account.cpfSave')));
  const input = attachCpfMask(form.querySelector('input'));
  input.addEventListener('input', () => input.setCustomValidity(''));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    input.setCustomValidity(isValidCpf(input.value) ? '' : t('auth.cpfInvalid'));
    if (!form.reportValidity()) return;
    const cpf = formatCpf(input.value);
    if (!(await confirmDialog(t('account.cpfConfirm', { cpf }), t('account.cpfConfirmText'), { confirmText: t('account.cpfSave'), cancelText: t('account.cpfReview') }))) {
      input.focus();
      return;
    }
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      user = await api.setCpf(cpf);
      toast('success', t('account.cpfSaved'));
      renderCpf();
      $('#cpf-title')?.focus();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'cpf_already_set') { await reloadUser(); return; }
      await showError(err);
      input.focus();
    } finally {
      btn.disabled = false;
    }
  });
  return card('cpf', t('account.cpf'), form);
}

// ---- password -------------------------------------------------------------------------------

function passwordCard() {
  const form = h('form', { class: 'mt-3 space-y-3', novalidate: true, dataset: { testid: 'password-form' } },
    h('p', { class: 'text-sm text-slate-600' }, t('account.passwordNote')),
    h('input', { type: 'text', name: 'username', autocomplete: 'username', value: user.email, hidden: true, readonly: true, tabindex: '-1', 'aria-hidden': 'true' }),
    field('current-password', t('account.currentPassword'), { type: 'password', autocomplete: 'current-password', required: true }),
    field('new-password', t('account.newPassword'), { type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 256 }, t('auth.passwordHint')),
    field('repeat-password', t('account.confirmPassword'), { type: 'password', autocomplete: 'new-password', required: true }),
    h('button', { type: 'submit', class: 'btn-primary', dataset: { testid: 'password-save' } }, t('account.passwordSave')));
  const [current, next, repeat] = ['#current-password', '#new-password', '#repeat-password'].map((s) => form.querySelector(s));
  repeat.addEventListener('input', () => repeat.setCustomValidity(''));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    repeat.setCustomValidity(repeat.value && repeat.value !== next.value ? t('account.passwordMismatch') : '');
    if (!form.reportValidity()) return;
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      user = await api.changePassword(current.value, next.value);
      form.reset();
      toast('success', t('account.passwordChanged'));
    } catch (err) {
      await showError(err);
      (err instanceof ApiError && err.code === 'wrong_password' ? current : next).focus();
    } finally {
      btn.disabled = false;
    }
  });
  return card('password', t('account.password'), form);
}

// ---- session and deletion ------------------------------------------------------------------------

function sessionCard() {
  return card('session', t('account.session'),
    h('p', { class: 'mt-2 text-sm text-slate-600' }, t('account.logoutText')),
    h('button', { type: 'button', class: 'btn-secondary mt-3', dataset: { testid: 'account-logout' }, onclick: logout }, t('nav.logout')));
}

async function deleteAccount() {
  const r = await fire({
    icon: 'warning',
    titleText: t('account.deleteTitle'),
    text: t('account.deleteText'),
    input: 'password',
    inputLabel: t('account.deletePassword'),
    inputAttributes: { autocomplete: 'current-password', 'data-testid': 'delete-password' },
    showCancelButton: true,
    confirmButtonText: t('account.delete'),
    cancelButtonText: t('account.keep'),
    customClass: { confirmButton: 'btn-danger mx-1' },
    showLoaderOnConfirm: true,
    allowOutsideClick: () => !Swal.isLoading(),
    preConfirm: async (password) => {
      if (!password) { validation(t('account.passwordRequired')); return false; }
      try {
        await api.deleteAccount(password);
        return true;
      } catch (err) {
        validation(problemText(err) || errorTitle(err));
        return false;
      }
    },
  });
  if (!r.isConfirmed) return;
  flash.set('success', 'account.deleted');
  location.href = 'index.html';
}

function dangerCard() {
  return h('section', { id: 'danger', class: 'card border-rose-200 p-5 sm:p-6', 'aria-labelledby': 'danger-title' },
    h('h2', { id: 'danger-title', class: 'text-lg font-bold text-rose-800' }, t('account.danger')),
    h('p', { class: 'mt-2 text-sm text-slate-700' }, t('account.dangerText')),
    h('button', { type: 'button', class: 'btn-danger mt-3', dataset: { testid: 'delete-account' }, onclick: deleteAccount }, t('account.delete')));
}

// ---- boot -------------------------------------------------------------------------------------------

function renderProfile() { $('#profile').replaceWith(profileCard()); }
function renderCpf() { $('#cpf').replaceWith(cpfCard()); }

async function reloadUser() {
  try {
    const before = JSON.stringify([user?.email_verified, user?.cpf]);
    user = await api.me();
    if (JSON.stringify([user.email_verified, user.cpf]) !== before) { renderProfile(); renderCpf(); }
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) showError(err);
  }
}

await initPage();
if (requireLogin()) {
  user = session.user;
  mount(root,
    h('div', { class: 'space-y-6' }, profileCard(), cpfCard()),
    h('div', { class: 'space-y-6' }, passwordCard(), sessionCard(), dangerCard()));
  // Verified in another tab or on the phone? Show it when the buyer comes back.
  reloadUser();
  document.addEventListener('visibilitychange', () => { if (!document.hidden) reloadUser(); });
}
