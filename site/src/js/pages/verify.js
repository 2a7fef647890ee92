// verify.html#token=… — the link of the verification e-mail. The token is in the fragment (never
// sent to a server by the browser); the page POSTs it to /auth/verify-email and says how it went.
import { api, session, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { initPage, $, h, mount, problemText, errorTitle } from '../ui.js';
import { icon } from '../dom.js';
import { resendVerification } from '../prompts.js';

const root = $('#verify-root');

function tokenFromFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  return params.get('token') || '';
}

const link = (href, text, primary = false, testid = undefined) =>
  h('a', { class: primary ? 'btn-primary' : 'btn-secondary', href, dataset: { testid } }, text);

function show({ ok, heading, text, actions }) {
  mount(root,
    h('span', {
      class: `mx-auto grid h-12 w-12 place-items-center rounded-full ${ok ? 'bg-emerald-100 text-emerald-800' : 'bg-rose-100 text-rose-800'}`,
      'aria-hidden': 'true',
    }, icon(ok ? 'check' : 'alert', 'h-6 w-6')),
    h('h1', { class: 'mt-4 text-2xl font-extrabold tracking-tight text-slate-900', dataset: { testid: ok ? 'verify-ok' : 'verify-failed' } }, heading),
    h('p', { class: 'mt-3 text-slate-700', dataset: { testid: 'verify-text' } }, text),
    h('div', { class: 'mt-6 flex flex-wrap justify-center gap-3' }, actions));
  root.querySelector('h1').setAttribute('tabindex', '-1');
  root.querySelector('h1').focus();
}

async function run() {
  const token = tokenFromFragment();
  // The token has done its job once read: keep it out of the history and of anything copied.
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  mount(root, h('p', { class: 'text-slate-600', role: 'status' }, t('verify.working')));
  try {
    if (!token) throw new ApiError({ status: 400, code: 'bad_link', title: 'bad link' });
    const user = await api.verifyEmail(token);
    // A token issued before the verification says "unverified": take a fresh one.
    if (session.loggedIn) await session.refresh();
    show({
      ok: true,
      heading: t('verify.ok'),
      text: t('verify.okText', { email: user?.email || session.user?.email || '' }),
      actions: session.loggedIn
        ? [link('orders.html', t('verify.toOrders'), true), link('index.html', t('verify.toEvents'))]
        : [link('index.html', t('verify.toEvents'), true), link('login.html', t('nav.login'))],
    });
  } catch (err) {
    const code = err instanceof ApiError ? err.code : null;
    const heading = code === 'link_expired' ? t('verify.expiredTitle') : code === 'bad_link' ? t('verify.badTitle') : t('verify.failedTitle');
    const text = problemText(err) || errorTitle(err);
    const actions = [];
    if (code === 'link_expired' || code === 'bad_link') {
      if (session.loggedIn && !session.user?.email_verified) {
        actions.push(h('button', {
          type: 'button', class: 'btn-primary', dataset: { testid: 'verify-resend' },
          onclick: async (e) => { const b = e.currentTarget; b.disabled = true; if (!(await resendVerification())) b.disabled = false; },
        }, t('account.resend')));
      } else if (!session.loggedIn) {
        actions.push(link('login.html?next=account.html', t('verify.toLogin'), true));
      }
    }
    actions.push(link(session.loggedIn ? 'account.html' : 'index.html', session.loggedIn ? t('verify.toAccount') : t('verify.toEvents')));
    show({ ok: false, heading, text, actions });
  }
}

await initPage();
await run();
// Another link opened in this same tab only changes the fragment: verify that one too.
window.addEventListener('hashchange', () => { if (tokenFromFragment()) run(); });
