// DOM building without HTML strings. Every string child becomes a text node and every attribute
// is set with setAttribute / a property, so names typed by users (events, venues, sectors, lots,
// buyers, server details) always reach the page as text, never as markup.
//
//   h('p', { class: 'text-sm', dataset: { testid: 'x' } }, 'Olá, ', user.name)
//   h('button', { type: 'button', onclick: save }, t('admin.save'))
//
// Props: `class`, `text` (textContent), `dataset` ({ testid: … } → data-testid), `style`
// (an object), `on<event>` (a function → addEventListener), the properties in PROPS, anything
// else → setAttribute. null / undefined / false props and children are skipped.

const SVG_NS = 'http://www.w3.org/2000/svg';
const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'readOnly', 'required', 'selected', 'multiple', 'tabIndex', 'open']);

function apply(el, props) {
  if (!props) return;
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.setAttribute('class', String(v));
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') {
      for (const [dk, dv] of Object.entries(v)) if (dv != null && dv !== false) el.dataset[dk] = String(dv);
    } else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k.startsWith('on')) throw new Error(`h(): ${k} must be a function`);
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

/** Appends children: nodes as they are, strings and numbers as text, arrays flattened. */
export function append(el, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false || c === '') continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An HTML element. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  return append(el, children);
}

/** An SVG element (icons). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null && v !== false) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) if (c) el.append(c);
  return el;
}

/** Replaces an element's children (the DOM-building counterpart of `el.innerHTML = …`). */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A URL fit for an <img src> or a link: http(s) or relative to the site; anything else is dropped. */
export function safeUrl(value) {
  if (!value) return null;
  try {
    const u = new URL(String(value), location.href);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

// ---- icons (static SVG built as nodes) ----------------------------------------------------

const ICONS = {
  ticket: [['path', { d: 'M3 8a2 2 0 0 0 2-2h14a2 2 0 0 0 2 2v2a2 2 0 0 0 0 4v2a2 2 0 0 0-2 2H5a2 2 0 0 0-2-2v-2a2 2 0 0 0 0-4z' }], ['path', { d: 'M13 6v12', 'stroke-dasharray': '2 2' }]],
  menu: [['path', { d: 'M4 6h16M4 12h16M4 18h16' }]],
  pin: [['path', { d: 'M12 21s-7-6.2-7-11a7 7 0 1 1 14 0c0 4.8-7 11-7 11z' }], ['circle', { cx: 12, cy: 10, r: 2.5 }]],
  check: [['path', { d: 'm5 12 5 5L20 7' }]],
  alert: [['path', { d: 'M12 9v4m0 4h.01' }], ['circle', { cx: 12, cy: 12, r: 9 }]],
  mail: [['rect', { x: 3, y: 5, width: 18, height: 14, rx: 2 }], ['path', { d: 'm3 7 9 6 9-6' }]],
};

/** A decorative icon (aria-hidden). */
export function icon(name, cls = 'h-4 w-4') {
  return s('svg', { viewBox: '0 0 24 24', class: cls, fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'aria-hidden': 'true' },
    (ICONS[name] || []).map(([tag, attrs]) => s(tag, attrs)));
}

/** The spinning "working" indicator. */
export function spinner(cls = 'h-4 w-4') {
  return s('svg', { class: `${cls} animate-spin`, viewBox: '0 0 24 24', fill: 'none', 'aria-hidden': 'true' },
    s('circle', { cx: 12, cy: 12, r: 10, stroke: 'currentColor', 'stroke-opacity': '.25', 'stroke-width': 4 }),
    s('path', { d: 'M22 12a10 10 0 0 0-10-10', stroke: 'currentColor', 'stroke-width': 4 }));
}

/**
 * The "live" pulsing dot; `state` 'offline' (red) or 'stale' (grey) is a still dot, so a page
 * that cannot reach the API never looks live.
 */
export function liveDot(state = 'live') {
  if (state !== 'live') {
    return h('span', { class: 'relative flex h-2 w-2', 'aria-hidden': 'true', dataset: { live: state } },
      h('span', { class: `relative inline-flex h-2 w-2 rounded-full ${state === 'offline' ? 'bg-rose-600' : 'bg-slate-400'}` }));
  }
  return h('span', { class: 'relative flex h-2 w-2', 'aria-hidden': 'true', dataset: { live: 'live' } },
    h('span', { class: 'absolute inline-flex h-full w-full animate-ping rounded-full bg-emerald-400 opacity-75' }),
    h('span', { class: 'relative inline-flex h-2 w-2 rounded-full bg-emerald-500' }));
}
