// Which event an audit entry is about, and the filters applied to a list of entries — kept
// free of the DOM and of the API client so that the unit tests can run it.

/** The event an entry is about: its target for event actions, else the event its object names. */
export function entryEvent(e) {
  if (typeof e.event_id === 'string' && e.event_id) return e.event_id;
  if (String(e.action).startsWith('event.')) return e.target;
  for (const side of [e.after, e.before]) {
    const id = side && typeof side === 'object' ? (side.gate_event_id || side.event_id) : null;
    if (typeof id === 'string' && id) return id;
  }
  return null;
}

/**
 * The entries for the filters, newest first. Entries a filtering server would not have sent
 * (another event's, another action) mean it did not filter: the console does it then.
 */
export function applyFilters(entries, { event, action }) {
  let list = [...entries];
  if (event && list.some((e) => entryEvent(e) && entryEvent(e) !== event)) list = list.filter((e) => entryEvent(e) === event);
  if (action && list.some((e) => e.action !== action)) list = list.filter((e) => e.action === action);
  return list.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}
