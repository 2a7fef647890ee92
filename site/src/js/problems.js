// What an API refusal means, in the buyer's language. The server's problem documents carry a
// stable `code` (fixtures/problem-codes.json lists every one the server can send) and an
// English `detail` meant for developers: buyers see only the message for the code here, or,
// for a code this site does not know yet, a generic one by status class. Never "HTTP 4xx".
//
// Kept free of the DOM and of ui.js so the unit tests (node) and the browser tests can call
// it for every code.
import { translate, getLang } from './i18n.js';

/** The message for `code` in `lang` ('pt' | 'en'), or null when there is none. */
export function messageForCode(code, lang, vars = {}) {
  if (!code) return null;
  const text = translate(lang, `problem.${code}`, { when: translate(lang, 'time.later'), ...vars });
  return text || null;
}

/** The generic message for a status when the code is unknown: 4xx "check and try again", 5xx "our fault". */
export function fallbackMessage(status, lang, { network = false } = {}) {
  if (network || status === 0) return translate(lang, 'error.fallback.network');
  return translate(lang, status >= 500 ? 'error.fallback.5xx' : 'error.fallback.4xx');
}

/**
 * What to tell the buyer about a problem: the code's message, else the fallback for its
 * status. `lang` defaults to the buyer's choice; `vars` fills placeholders such as {when}.
 */
export function problemMessage({ code = null, status = 0, network = false } = {}, { lang = getLang(), vars = {} } = {}) {
  if (network) return fallbackMessage(0, lang, { network: true });
  return messageForCode(code, lang, vars) || fallbackMessage(status, lang);
}
