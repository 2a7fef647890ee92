// Half-price (meia-entrada) entitlements: the codes the API uses and their labels.
import { t, has } from './i18n.js';

/** In the order the buyer is offered them (docs/gate.md: 1 student … 5 teacher). */
export const ENTITLEMENT_CODES = ['student', 'senior', 'disability', 'low_income_youth', 'teacher'];

/** "Estudante" / "Student" for 'student'; the code itself when unknown; '' for none. */
export function entitlementLabel(code) {
  if (!code) return '';
  const key = `entitlement.${code}`;
  return has(key) ? t(key) : String(code);
}
