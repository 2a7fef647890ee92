// An event's date and time as people at the venue read them: in the event's own IANA time zone
// (`event_time_zone` / `time_zone`, e.g. America/Sao_Paulo), not the reader's, with the zone's
// abbreviation ("BRT", "GMT-3") so a buyer abroad is not misled.
import { locale, t } from './i18n.js';

/** True when `zone` is a time zone this browser knows. */
function knownZone(zone) {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone }).format(0);
    return true;
  } catch {
    return false;
  }
}

/** The zone's short name at that instant in the reader's language ("BRT", "GMT-3"). */
export function zoneAbbreviation(date, zone) {
  try {
    const parts = new Intl.DateTimeFormat(locale(), { timeZone: zone, timeZoneName: 'short' }).formatToParts(date);
    return parts.find((p) => p.type === 'timeZoneName')?.value || '';
  } catch {
    return '';
  }
}

/**
 * "sábado, 20 de junho de 2026 às 21:00 (BRT)". `style`: 'full' (the event page) or 'medium'
 * (lists, tickets). Without a known zone, the reader's own, unlabelled.
 */
export function eventDateTime(iso, zone, style = 'full') {
  if (!iso) return t('common.none');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const timeZone = knownZone(zone) ? zone : undefined;
  const text = new Intl.DateTimeFormat(locale(), { dateStyle: style, timeStyle: 'short', timeZone }).format(date);
  const abbr = timeZone ? zoneAbbreviation(date, timeZone) : '';
  return abbr ? `${text} (${abbr})` : text;
}

/** The event fields of an order or a ticket ({event_starts_at, event_venue, event_time_zone}), with fallbacks. */
export function eventFacts(item, event = null) {
  return {
    startsAt: item?.event_starts_at || event?.starts_at || null,
    venue: item?.event_venue || event?.venue || '',
    timeZone: item?.event_time_zone || event?.time_zone || null,
    status: item?.event_status || event?.status || null,
  };
}
