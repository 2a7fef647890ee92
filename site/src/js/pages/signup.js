// signup.html — registers, logs in and returns to where the buyer was going.
import { api, flash } from '../api.js';
import { initPage, $, showError, param } from '../ui.js';

function safeNext() {
  const next = param('next') || 'index.html';
  return /^[a-z]+\.html(\?[^#]*)?(#[\w-]*)?$/i.test(next) ? next : 'index.html';
}

await initPage();
$('#login-link').href = `login.html?next=${encodeURIComponent(safeNext())}`;
$('#signup-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  if (!form.reportValidity()) return;
  const btn = form.querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    const email = form.email.value.trim();
    await api.register(form.name.value.trim(), email, form.password.value);
    const me = await api.login(email, form.password.value);
    flash.set('success', 'auth.welcome', { name: me.name });
    location.href = safeNext();
  } catch (err) {
    showError(err, { context: 'signup' });
  } finally {
    btn.disabled = false;
  }
});
$('#name').focus();
