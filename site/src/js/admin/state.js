// What the console's modules share: the admin list of events as last loaded, and the
// statuses that decide what can still be done to an event.

/** The events as GET /admin/events last answered (every module reads it; events-list.js loads it). */
export const state = {
  events: [],
};

/** The event of that id in the list, or undefined. */
export const eventById = (id) => state.events.find((e) => e.id === id);

// Statuses whose event can no longer be edited, paused, cancelled or deleted from the console;
// the sweeping ones (a cancel or delete still ending orders) are refreshed until they settle.
export const CLOSING = new Set(['cancelling', 'cancelled', 'deleting']);
export const SWEEPING = new Set(['cancelling', 'deleting']);

/** The console's tabs, in order. */
export const TABS = ['dashboard', 'events', 'queue', 'gate', 'audit'];
