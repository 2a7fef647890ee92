// The console's error dialogs: what went wrong in the admin's language, from the problem's
// stable `code` (i18n keys `problem.<code>`), never the server's English sentence; that one,
// with the code, the HTTP status and the request id, is under an expandable "detalhes técnicos".
import { ApiError } from '../api.js';
import { t, has } from '../i18n.js';
import { fire, errorTitle, h } from '../ui.js';

/**
 * Figures a refusal names (the sector whose capacity cannot be lowered, by how much): the
 * problem's own fields when the server sends them, else read from its (English) detail.
 */
function figures(err) {
  const p = err.problem || {};
  const d = String(err.detail || '');
  if (err.code === 'resize_refused') {
    let m = d.match(/^sector '(.+)': cannot lower capacity by (\d+) \S+ only (\d+) ticket/);
    if (m) return { variant: 'below', sector: p.sector ?? m[1], by: p.by ?? m[2], unsold: p.unsold ?? m[3] };
    m = d.match(/^sector '(.+)': lot (\d+) has sales/);
    if (m) return { variant: 'lot', sector: p.sector ?? m[1], lot: p.lot ?? m[2] };
    m = d.match(/^sector '(.+)' has sales/);
    if (m) return { variant: 'sector', sector: p.sector ?? m[1] };
  }
  if (err.code === 'has_orders') {
    const m = d.match(/has (\d+) order/);
    const orders = p.orders ?? (m ? m[1] : null);
    if (orders != null) return { variant: 'count', orders };
  }
  return {};
}

/** The explanation of an error in the admin's language ('' when there is none to give). */
export function explain(err) {
  if (!(err instanceof ApiError)) return String(err?.message || err || '');
  if (err.network) return t('error.networkText');
  if (err.notBuilt) return t('error.notBuilt');
  if (err.code) {
    const vars = figures(err);
    const exact = vars.variant ? `problem.${err.code}.${vars.variant}` : null;
    if (exact && has(exact)) return t(exact, vars);
    if (has(`problem.${err.code}`)) return t(`problem.${err.code}`, vars);
  }
  if (err.staleVersion) return t('admin.staleVersion');
  if (err.status >= 500) return t('admin.errorServer');
  return t('admin.errorRefused');
}

/** The server's side of an error, folded: code, HTTP status, its detail, the request id. */
export function technicalDetails(err, extra = []) {
  const rows = [];
  const row = (label, value, testid) => {
    if (value == null || value === '') return;
    rows.push(h('dt', { class: 'font-medium text-slate-700' }, label),
      h('dd', { class: 'min-w-0 break-words text-slate-700', dataset: testid ? { testid } : null }, String(value)));
  };
  if (err instanceof ApiError) {
    row(t('admin.techCode'), err.code, 'error-code');
    row(t('admin.techStatus'), err.status ? `HTTP ${err.status}` : null);
    row(t('admin.techDetail'), err.detail, 'error-detail');
    row(t('admin.techRequest'), err.problem?.request_id);
    row(t('admin.techPath'), err.path ? `${err.method} ${err.path}` : null);
  }
  for (const [label, value, testid] of extra) row(label, value, testid);
  if (!rows.length) return null;
  return h('details', { class: 'mt-3 rounded-lg border border-slate-200 bg-slate-50 p-3 text-left text-sm', dataset: { testid: 'technical-details' } },
    h('summary', { class: 'cursor-pointer font-semibold text-slate-700' }, t('admin.technicalDetails')),
    h('dl', { class: 'mt-2 grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1' }, rows));
}

/** Shows an error: a title for its kind, the explanation for its code, the technical details folded. */
export function showAdminError(err, { titleText } = {}) {
  if (err?.name === 'AbortError') return Promise.resolve();
  console.error(err);
  const lead = explain(err);
  const body = h('div', { dataset: { testid: 'error-body' } },
    lead ? h('p', { dataset: { testid: 'error-lead' } }, lead) : null,
    technicalDetails(err));
  return fire({ icon: 'error', titleText: titleText || errorTitle(err), html: body, confirmButtonText: t('common.ok') });
}
