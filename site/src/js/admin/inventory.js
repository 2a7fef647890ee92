// The stock window of one event (GET /admin/events/{id}/inventory): where each bucket of stock
// sits — sector, lot, bucket, available / capacity, half-price left, on sale, shard. The topology
// is explained in the admin's language; the server's own note is under "detalhes técnicos".
import { t, number } from '../i18n.js';
import { h, fire } from '../ui.js';
import { adminApi } from './api.js';
import { showAdminError, technicalDetails } from './errors.js';

/** The lot's name (`lot_name`), else "Lote 2" from its index (0-based). */
export function lotLabel(b) {
  const name = typeof b.lot_name === 'string' ? b.lot_name.trim() : '';
  if (name) return name;
  return Number.isInteger(b.lot) ? t('admin.lotN', { n: b.lot + 1 }) : t('common.none');
}

/** What the topology means, in the admin's language. */
function topologyNote(inv) {
  const buckets = (inv.buckets || []).length;
  const shards = Array.isArray(inv.shards) ? inv.shards.length : new Set((inv.buckets || []).map((b) => b.shard).filter(Boolean)).size;
  if (inv.topology === 'mongos') return t('admin.inventoryNoteSharded', { shards: number(shards), buckets: number(buckets) });
  if (inv.topology === 'single-node') return t('admin.inventoryNoteSingle', { buckets: number(buckets) });
  return '';
}

function bucketRow(b) {
  const yes = b.on_sale !== false;
  return h('tr', { dataset: { testid: 'inventory-row', sector: b.sector, lot: b.lot } },
    h('td', { class: 'font-medium' }, b.sector),
    h('td', { dataset: { testid: 'inventory-lot' } }, lotLabel(b)),
    h('td', { class: 'text-right tabular-nums' }, String(b.bucket ?? '')),
    h('td', { class: 'text-right tabular-nums' }, `${number(b.available)} / ${number(b.capacity)}`),
    h('td', { class: 'text-right tabular-nums' }, b.half_available == null ? t('common.none') : number(b.half_available)),
    h('td', null, h('span', { class: yes ? 'badge-green' : 'badge-slate' }, yes ? t('common.yes') : t('common.no'))),
    h('td', null, h('code', null, String(b.shard ?? t('common.none')))));
}

export async function showInventory(id, name) {
  try {
    const inv = await adminApi.inventory(id);
    const th = (text, right = false) => h('th', { scope: 'col', class: right ? 'text-right' : null }, text);
    const buckets = [...(inv.buckets || [])].sort((a, b) => String(a.sector).localeCompare(String(b.sector)) || (a.lot ?? 0) - (b.lot ?? 0) || (a.bucket ?? 0) - (b.bucket ?? 0));
    const note = topologyNote(inv);
    const body = h('div', { class: 'text-left text-sm', dataset: { testid: 'inventory' } },
      h('p', null, h('span', { class: 'font-semibold' }, `${t('admin.topology')}:`), ' ', h('span', { class: 'badge-blue', dataset: { testid: 'topology' } }, inv.topology)),
      note ? h('p', { class: 'mt-2 rounded-lg bg-slate-50 p-3 text-slate-700', dataset: { testid: 'inventory-note' } }, note) : null,
      h('div', { class: 'mt-3 max-h-80 overflow-auto' }, h('table', { class: 'table-base', dataset: { testid: 'inventory-table' } },
        h('thead', { class: 'bg-slate-50' }, h('tr', null,
          th(t('order.sector')), th(t('admin.lot')), th(t('admin.bucket'), true), th(t('admin.available'), true),
          th(t('admin.halfLeft'), true), th(t('admin.onSale')), th(t('admin.shard')))),
        h('tbody', { class: 'divide-y divide-slate-100' }, buckets.map(bucketRow)))),
      technicalDetails(null, [[t('admin.techNote'), inv.note, 'inventory-server-note'], [t('admin.shard'), (inv.shards || []).join(', ')]]));
    await fire({
      titleText: t('admin.inventoryTitle', { name }),
      width: 800,
      customClass: { confirmButton: 'btn-primary' },
      confirmButtonText: t('common.close'),
      html: body,
    });
  } catch (err) { showAdminError(err); }
}
