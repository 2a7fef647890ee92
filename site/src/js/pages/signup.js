// signup.html — registers (CPF optional; the UI language, so the e-mails are written in it),
// logs in, says a verification e-mail was sent and returns to where the buyer was going.
import { api, flash } from '../api.js';
import { t, locale } from '../i18n.js';
import { initPage, $, showError, param, alertMsg } from '../ui.js';
import { attachCpfMask, isValidCpf } from '../cpf.js';

function safeNext() {
  const next = param('next') || 'index.html';
  return /^[a-z]+\.html(\?[^#]*)?(#[\w-]*)?$/i.test(next) ? next : 'index.html';
}

await initPage();
$('#login-link').href = `login.html?next=${encodeURIComponent(safeNext())}`;
const cpf = attachCpfMask($('#cpf'));
cpf.addEventListener('input', () => cpf.setCustomValidity(''));

$('#signup-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  const cpfValue = cpf.value.trim();
  cpf.setCustomValidity(cpfValue && !isValidCpf(cpfValue) ? t('auth.cpfInvalid') : '');
  if (!form.reportValidity()) return;
  const btn = form.querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    const email = form.email.value.trim();
    await api.register(form.name.value.trim(), email, form.password.value, cpfValue || undefined, locale());
    const me = await api.login(email, form.password.value);
    await alertMsg('success', t('auth.signedUpTitle'), t('auth.signedUpText', { email: me.email || email }), {
      confirmButtonText: t('auth.continue'),
    });
    flash.set('success', 'auth.welcome', { name: me.name });
    location.href = safeNext();
  } catch (err) {
    showError(err, { context: 'signup' });
  } finally {
    btn.disabled = false;
  }
});
$('#name').focus();
