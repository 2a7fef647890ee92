// Event time zones: every event has an IANA `time_zone` (America/Sao_Paulo unless the admin
// chose another). The console shows an event's times in its zone, named by its city as the
// server's e-mails do ("20:00 (horário de Manaus)"), and the editor's date inputs are read as
// wall-clock times of the event's zone, whatever the admin's computer is set to.
import { t, locale } from '../i18n.js';

export const DEFAULT_ZONE = 'America/Sao_Paulo';

/** Brazil's zones (and UTC), offered by the editor. */
export const ZONES = [
  'America/Sao_Paulo', 'America/Manaus', 'America/Cuiaba', 'America/Belem', 'America/Fortaleza', 'America/Recife',
  'America/Bahia', 'America/Porto_Velho', 'America/Boa_Vista', 'America/Rio_Branco', 'America/Noronha', 'UTC',
];

const CITY = {
  'America/Sao_Paulo': 'São Paulo', 'America/Belem': 'Belém', 'America/Cuiaba': 'Cuiabá', 'America/Maceio': 'Maceió',
  'America/Araguaina': 'Araguaína', 'America/Santarem': 'Santarém',
};

/** "São Paulo", "Manaus", "Porto Velho", "UTC". */
export function zoneCity(zone) {
  return CITY[zone] || String(zone).split('/').pop().replace(/_/g, ' ');
}

function isZone(zone) {
  if (!zone || typeof zone !== 'string') return false;
  try { new Intl.DateTimeFormat('en', { timeZone: zone }); return true; } catch { return false; }
}

/** The event's zone (the default for events stored before zones existed, or a name this browser does not know). */
export function zoneOf(ev) {
  return isZone(ev?.time_zone) ? ev.time_zone : DEFAULT_ZONE;
}

/** The zone's UTC offset now, as "GMT-3" (for the editor's list). */
export function zoneOffset(zone, at = new Date()) {
  try {
    const p = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(at);
    return p.find((x) => x.type === 'timeZoneName')?.value || '';
  } catch { return ''; }
}

/** "(horário de Manaus)" / "(Manaus time)"; "(UTC)". */
export function zoneSuffix(zone) {
  return zone === 'UTC' ? '(UTC)' : t('admin.zoneSuffix', { city: zoneCity(zone) });
}

/** The wall-clock fields of `date` in `zone`. */
function wallClock(date, zone) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const o = {};
  for (const p of f.formatToParts(date)) o[p.type] = p.value;
  return { y: Number(o.year), mo: Number(o.month), d: Number(o.day), h: Number(o.hour) % 24, mi: Number(o.minute), s: Number(o.second) };
}

/** How far `zone`'s clock is ahead of UTC at `date`, in ms. */
function offsetMs(date, zone) {
  const w = wallClock(date, zone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(date.getTime() / 1000) * 1000;
}

/** An instant as the value of an <input type=datetime-local> in `zone` ('' for none). */
export function toZoneInput(iso, zone = DEFAULT_ZONE) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const w = wallClock(d, zone);
  const p = (n) => String(n).padStart(2, '0');
  return `${w.y}-${p(w.mo)}-${p(w.d)}T${p(w.h)}:${p(w.mi)}`;
}

/** The instant (ISO, UTC) a datetime-local value means in `zone`, or null when it is not one. */
export function fromZoneInput(value, zone = DEFAULT_ZONE) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(value || '').trim());
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] || 0));
  // The offset at the guess, then at the corrected instant (they differ only across a DST change).
  let at = wall - offsetMs(new Date(wall), zone);
  const again = offsetMs(new Date(at), zone);
  if (wall - again !== at) at = wall - again;
  return new Date(at).toISOString();
}

/** "12 de dez. de 2026 20:00 (horário de Manaus)": an instant in the event's zone. */
export function zoneDateTime(iso, zone = DEFAULT_ZONE, { suffix = true } = {}) {
  if (!iso) return t('common.none');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const s = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(d);
  return suffix ? `${s} ${zoneSuffix(zone)}` : s;
}

/** "20:00:15" in the zone (an audit entry, a gate scan), without the zone's name. */
export function zoneTime(iso, zone = DEFAULT_ZONE) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  return new Intl.DateTimeFormat(locale(), { timeStyle: 'medium', timeZone: zone }).format(d);
}
