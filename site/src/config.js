// The one place the API's location is configured.
// '' = same origin as the site (the local runner and CloudFront serve both); set a full URL
// such as 'https://api.example.com' to call an API on another origin.
export const API_ORIGIN = '';
export const API_BASE = `${API_ORIGIN}/api/v1`;

// How often live data is refreshed (milliseconds).
export const EVENTS_REFRESH_MS = 5000;
export const ORDER_POLL_MS = 2000;
export const DASHBOARD_REFRESH_MS = 5000;
