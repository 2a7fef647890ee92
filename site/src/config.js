// The one place the API's location is configured.
// '' = same origin as the site (the local runner and CloudFront serve both); set a full URL
// such as 'https://api.example.com' to call an API on another origin.
export const API_ORIGIN = '';
export const API_BASE = `${API_ORIGIN}/api/v1`;

// How often live data is refreshed (milliseconds).
export const EVENTS_REFRESH_MS = 5000;
export const ORDER_POLL_MS = 2000;
export const DASHBOARD_REFRESH_MS = 5000;
/** The gate: how often the event's manifest is refreshed (and offline scans sent) while online. */
export const GATE_MANIFEST_REFRESH_MS = 15000;
/** The gate: a check-in not answered after this long is decided offline. */
export const GATE_CHECKIN_TIMEOUT_MS = 5000;
