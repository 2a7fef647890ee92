// The account questions a purchase can run into: "we need your CPF" (POST /orders → 403
// cpf_required) and "confirm your e-mail first" (pay → 403 email_unverified).
import { api, session, ApiError } from './api.js';
import { t } from './i18n.js';
import { fire, validation, toast, problemText, errorTitle, alertMsg, Swal } from './ui.js';
import { attachCpfMask, isValidCpf } from './cpf.js';

/**
 * Asks for the CPF in a dialog, validates it, saves it (PUT /me/cpf) and takes the fresh
 * session (its token carries the CPF). Resolves the user, or null when the buyer gave up.
 */
export async function askCpf({ confirmText = t('account.cpfSave') } = {}) {
  const r = await fire({
    icon: 'info',
    titleText: t('cpf.requiredTitle'),
    text: t('cpf.requiredText'),
    input: 'text',
    inputLabel: t('auth.cpf'),
    inputPlaceholder: '000.000.000-00',
    inputAttributes: { autocomplete: 'off', inputmode: 'numeric', maxlength: '14', 'data-testid': 'cpf-dialog-input' },
    showCancelButton: true,
    confirmButtonText: confirmText,
    cancelButtonText: t('common.cancel'),
    showLoaderOnConfirm: true,
    allowOutsideClick: () => !Swal.isLoading(),
    didOpen: () => { const input = Swal.getInput(); if (input) attachCpfMask(input); },
    preConfirm: async (value) => {
      if (!isValidCpf(value)) { validation(t('auth.cpfInvalid')); return false; }
      try {
        return await api.setCpf(String(value).trim());
      } catch (err) {
        if (err instanceof ApiError && err.code === 'cpf_already_set') {
          // Set meanwhile (another tab): a refreshed token carries it.
          await session.refresh();
          return session.user;
        }
        validation(problemText(err) || errorTitle(err));
        return false;
      }
    },
  });
  return r.isConfirmed ? r.value || session.user : null;
}

/** POST /me/verification with the buyer-facing answer (toast, or the reason it was refused). */
export async function resendVerification() {
  try {
    const r = await api.resendVerification();
    toast('success', t('account.resent', { email: r?.sent_to || session.user?.email || '' }));
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'already_verified') {
      await session.refresh();
      await alertMsg('info', t('problem.already_verified'));
      return true;
    }
    await alertMsg('warning', errorTitle(err), problemText(err) || t('error.generic'));
    return false;
  }
}

/** Explains that paying needs a verified e-mail and offers to send the link again. */
export async function explainUnverified() {
  const email = session.user?.email || '';
  const r = await fire({
    icon: 'info',
    titleText: t('pay.unverifiedTitle'),
    text: t('pay.unverifiedText', { email }),
    showCancelButton: true,
    confirmButtonText: t('account.resend'),
    cancelButtonText: t('common.close'),
    customClass: { popup: 'rounded-2xl', htmlContainer: 'text-slate-700' },
  });
  if (r.isConfirmed) await resendVerification();
}
