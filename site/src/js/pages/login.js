// login.html
import { api, flash } from '../api.js';
import { initPage, $, showError, param } from '../ui.js';

function safeNext() {
  const next = param('next') || 'index.html';
  return /^[a-z]+\.html(\?[^#]*)?(#[\w-]*)?$/i.test(next) ? next : 'index.html';
}

await initPage();
$('#signup-link').href = `signup.html?next=${encodeURIComponent(safeNext())}`;
$('#login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  if (!form.reportValidity()) return;
  const btn = form.querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    const me = await api.login(form.email.value.trim(), form.password.value);
    flash.set('success', 'auth.welcome', { name: me.name });
    // Gate staff can only scan: without a page asked for, they go to the gate.
    location.href = me?.role === 'gate' && !param('next') ? 'gate.html' : safeNext();
  } catch (err) {
    showError(err, { context: 'login' });
  } finally {
    btn.disabled = false;
  }
});
$('#email').focus();
