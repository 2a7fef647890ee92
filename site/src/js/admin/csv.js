// An event's orders as a file (GET /admin/events/{id}/orders.csv): the spreadsheet CSV for a
// pt-BR Excel (the default: UTF-8 BOM, `;`, amounts in reais, statuses translated) or the raw
// CSV for machines (`?format=raw`). A large export may be answered with JSON `{ url }`, a
// short-lived link (`{ url, filename, expires_at, rows, bytes }`): the browser downloads from there.
import { t } from '../i18n.js';
import { safeUrl } from '../dom.js';
import { adminApi } from './api.js';
import { showAdminError } from './errors.js';

/** "pedidos-festival-de-verao.csv" / "pedidos-festival-de-verao-bruto.csv". */
export function csvFileName(name, id, format) {
  const slug = String(name || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\w]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || id;
  return `${t('admin.csvFilePrefix')}-${slug}${format === 'raw' ? `-${t('admin.csvRawSuffix')}` : ''}.csv`;
}

/** The file name in a Content-Disposition header, if any. */
function dispositionName(header) {
  const h = String(header || '');
  const star = h.match(/filename\*\s*=\s*UTF-8''([^;]+)/i);
  if (star) { try { return decodeURIComponent(star[1].trim()); } catch { /* fall through */ } }
  const plain = h.match(/filename\s*=\s*"?([^";]+)"?/i);
  return plain ? plain[1].trim() : null;
}

function save(href, fileName) {
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

/** Downloads the export of event `id` in `format` ('excel' or 'raw'); `button` is disabled meanwhile. */
export async function downloadCsv(id, name, format = 'excel', button = null) {
  if (button) button.disabled = true;
  try {
    const res = await adminApi.ordersCsv(id, format);
    const type = res.headers.get('content-type') || '';
    if (/json/i.test(type)) {
      // A short-lived link to the file (large exports).
      const answer = await res.json().catch(() => null);
      const url = safeUrl(answer?.url);
      if (!url) throw new Error(t('admin.csvNoLink'));
      // The link should answer with Content-Disposition: attachment (else the browser shows the file).
      save(url, typeof answer.filename === 'string' && answer.filename ? answer.filename : csvFileName(name, id, format));
    } else {
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      save(url, dispositionName(res.headers.get('content-disposition')) || csvFileName(name, id, format));
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }
  } catch (err) {
    showAdminError(err);
  } finally {
    if (button) button.disabled = false;
  }
}
