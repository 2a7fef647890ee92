// "Baixar PDF": GET /orders/{id}/tickets.pdf needs the bearer token, which lives only in this
// page's memory — so the PDF is fetched as a Blob through api.js and handed to the browser as
// a download (an object URL on a temporary <a download>), never navigated to.
import { api } from './api.js';
import { t } from './i18n.js';
import { h, showError } from './ui.js';
import { spinner } from './dom.js';

export async function downloadTicketsPdf(orderId, button) {
  const label = button ? [...button.childNodes] : null;
  if (button) { button.disabled = true; button.replaceChildren(spinner(), t('order.pdfWorking')); }
  try {
    const blob = await api.ticketsPdf(orderId);
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `${t('order.pdfFile')}-${String(orderId).slice(-6).toUpperCase()}.pdf`, class: 'hidden' });
    document.body.append(a);
    a.click();
    a.remove();
    // Give the browser time to start the download before the URL goes.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    await showError(err);
  } finally {
    if (button) { button.disabled = false; button.replaceChildren(...label); }
  }
}
