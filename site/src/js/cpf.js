// CPF (Brazilian taxpayer number): digits, check digits, display format and a light input mask.
// The server validates too (422 invalid_cpf); this only spares the buyer a round trip.

/** The digits of a CPF typed with or without punctuation ("123.456.789-09" → "12345678909"). */
export function cpfDigits(value) {
  return String(value ?? '').replace(/\D/g, '');
}

function checkDigit(digits, weightFrom) {
  let sum = 0;
  for (let i = 0; i < weightFrom - 1; i += 1) sum += Number(digits[i]) * (weightFrom - i);
  const r = (sum * 10) % 11;
  return r === 10 ? 0 : r;
}

/** True for 11 digits (punctuation allowed) with both check digits right, not all the same digit. */
export function isValidCpf(value) {
  const text = String(value ?? '').trim();
  if (!/^[\d.\-\s]+$/.test(text)) return false;
  const d = cpfDigits(text);
  if (d.length !== 11 || /^(\d)\1{10}$/.test(d)) return false;
  return checkDigit(d, 10) === Number(d[9]) && checkDigit(d, 11) === Number(d[10]);
}

/** "12345678909" → "123.456.789-09" (partial input is formatted as far as it goes). */
export function formatCpf(value) {
  const d = cpfDigits(value).slice(0, 11);
  if (d.length <= 3) return d;
  if (d.length <= 6) return `${d.slice(0, 3)}.${d.slice(3)}`;
  if (d.length <= 9) return `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`;
  return `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}`;
}

/**
 * A light mask on an <input>: punctuation is added while typing at the end of the field (never
 * moving the caret mid-edit), and the whole value is formatted when the field loses focus.
 * Pasting "12345678909" or "123.456.789-09" both work.
 */
export function attachCpfMask(input) {
  input.setAttribute('inputmode', 'numeric');
  input.setAttribute('autocomplete', 'off');
  input.setAttribute('maxlength', '14');
  input.setAttribute('spellcheck', 'false');
  input.addEventListener('input', (e) => {
    const el = e.target;
    if (e.inputType && e.inputType.startsWith('delete')) return;
    if (el.selectionStart !== el.value.length) return;
    const formatted = formatCpf(el.value);
    if (formatted !== el.value && cpfDigits(el.value).length <= 11) el.value = formatted;
  });
  input.addEventListener('blur', (e) => {
    const el = e.target;
    if (cpfDigits(el.value).length === 11) el.value = formatCpf(el.value);
  });
  return input;
}
