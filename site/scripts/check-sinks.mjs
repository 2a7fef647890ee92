#!/usr/bin/env node
// Static check: no HTML sinks for user data in the site's code.
//
// The site builds its DOM with h() (src/js/dom.js) and shows dialogs through fire()
// (src/js/ui.js), so names typed by users — events, venues, sectors, lots, buyers, server
// details — always reach the page as text. This script fails (exit 1) when code reintroduces a
// way to put a string into the page as HTML:
//
//   innerHTML / outerHTML, insertAdjacentHTML, document.write, DOMParser,
//   createContextualFragment, srcdoc, setHTMLUnsafe / parseHTMLUnsafe
//   SweetAlert2 called directly (Swal.fire / mixin / update / showValidationMessage)
//   SweetAlert2 HTML options (title: html: footer: iconHtml: closeButtonHtml: loaderHtml:
//     validationMessage:) — titleText / text are the text ones
//   markup in string or template literals ('<div …', `<p>${…}`)
//   inline event handlers (onerror="…") and javascript: URLs
//
// A reviewed use goes in ALLOW below (file, rule, a piece of the line, why it is safe). An
// entry that no longer matches anything is an error too, so the list stays honest.
//
// Usage: node scripts/check-sinks.mjs   (run by `npm run build` and `npm run check:sinks`)
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const JS_RULES = [
  { rule: 'html-property', re: /\b(innerHTML|outerHTML)\b/, why: 'innerHTML / outerHTML parse strings as HTML: build nodes with h() / mount()' },
  { rule: 'html-insert', re: /\b(insertAdjacentHTML|createContextualFragment|DOMParser|srcdoc|setHTMLUnsafe|parseHTMLUnsafe)\b|\bdocument\s*\.\s*write(ln)?\s*\(/, why: 'parses a string as HTML' },
  { rule: 'swal-call', re: /\bSwal\s*\.\s*(fire|mixin|update)\s*\(|\bshowValidationMessage\s*\(/, why: 'call SweetAlert2 through fire() / validation() from ui.js (text only, escaped captions)' },
  { rule: 'swal-html-option', re: /(^|[{,\s])(title|html|footer|iconHtml|closeButtonHtml|loaderHtml|validationMessage)\s*:/, why: 'SweetAlert2 renders this option as HTML: use titleText / text, or pass a node built with h()' },
  { rule: 'markup-string', re: /(['"`])[^'"`]*<\/?[a-zA-Z][\w-]*[\s/>]/, why: 'markup built in a string: build nodes with h()' },
  { rule: 'inline-handler', re: /\bon[a-z]+\s*=\s*\\?["'`]/i, why: 'inline event handler in a string' },
  { rule: 'javascript-url', re: /javascript:/i, why: 'javascript: URL' },
];

const HTML_RULES = [
  { rule: 'inline-handler', re: /\son[a-z]+\s*=/i, why: 'inline event handler attribute' },
  { rule: 'javascript-url', re: /javascript:/i, why: 'javascript: URL' },
  { rule: 'inline-script', re: /<script(?![^>]*\bsrc=)[^>]*>/i, why: 'inline <script>: put code in src/js' },
];

/** Reviewed uses: each must still match a flagged line (file, rule, a substring of the line). */
const ALLOW = [
  { file: 'src/js/ui.js', rule: 'swal-call', match: 'return Swal.fire(o);', why: 'fire(): the one SweetAlert2 entry point — throws on HTML strings in title/html/footer…, escapes button captions' },
  { file: 'src/js/ui.js', rule: 'swal-call', match: 'Swal.showValidationMessage(esc(text));', why: 'validation(): the message is escaped' },
  { file: 'src/js/ui.js', rule: 'swal-html-option', match: "validationMessage: 'text-rose-800',", why: 'a customClass entry (a CSS class name), not the message' },
  { file: 'src/js/ui.js', rule: 'swal-html-option', match: 'html: errorBody(err, context, technical)', why: 'a DOM node built with h() (SweetAlert2 appends nodes as they are)' },
  { file: 'src/js/admin/inventory.js', rule: 'swal-html-option', match: 'html: body,', why: 'the stock window (table, notes), a DOM node built with h()' },
  { file: 'src/js/admin/errors.js', rule: 'swal-html-option', match: 'html: body, confirmButtonText', why: 'the admin error dialog (explanation, technical details), a DOM node built with h()' },
  { file: 'src/js/ticket-card.js', rule: 'swal-html-option', match: 'html: form,', why: 'the transfer form (e-mail, entitlement), a DOM node built with h()' },
  { file: 'src/js/quote.js', rule: 'swal-html-option', match: 'html: priceChangeBody(before, after),', why: 'the old → new price table, a DOM node built with h()' },
  { file: 'src/js/admin/sales-chart.js', rule: 'swal-html-option', match: "title: { display: true, text: t('admin.tickets')", why: 'a Chart.js axis title, drawn on a canvas' },
  { file: 'src/js/api.js', rule: 'swal-html-option', match: "network: true, title: 'network'", why: 'an ApiError field, not a dialog option' },
  { file: 'src/js/api.js', rule: 'swal-html-option', match: 'title: problem.title || res.statusText,', why: 'an ApiError field, not a dialog option' },
  { file: 'src/js/pages/verify.js', rule: 'swal-html-option', match: "code: 'bad_link', title: 'bad link'", why: 'an ApiError field, not a dialog option' },
  { file: 'src/pages/index.html', rule: 'inline-handler', match: 'onsubmit="return false"', why: 'static attribute of the search form (no user data)' },
];

// ---- comment stripping (keeps line numbers; strings, templates and regexes left as they are) ----

function stripComments(src) {
  let out = '';
  let i = 0;
  let lastSignificant = '';
  const regexAllowedAfter = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') { out += ' '; i += 1; }
      continue;
    }
    if (c === '/' && n === '*') {
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) { out += src[i] === '\n' ? '\n' : ' '; i += 1; }
      out += '  ';
      i += 2;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const q = c;
      out += c;
      i += 1;
      while (i < src.length && src[i] !== q) {
        if (src[i] === '\\') { out += src[i] + (src[i + 1] ?? ''); i += 2; continue; }
        if (q !== '`' && src[i] === '\n') break;
        out += src[i];
        i += 1;
      }
      out += src[i] ?? '';
      i += 1;
      lastSignificant = q;
      continue;
    }
    if (c === '/' && (regexAllowedAfter.has(lastSignificant) || /\b(return|typeof|case|in|of)$/.test(out.trimEnd()))) {
      // A regular expression literal: copy it through its closing slash (outside a class).
      let inClass = false;
      out += c;
      i += 1;
      while (i < src.length && src[i] !== '\n') {
        const d = src[i];
        out += d;
        i += 1;
        if (d === '\\') { out += src[i] ?? ''; i += 1; continue; }
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
      }
      lastSignificant = '/';
      continue;
    }
    out += c;
    if (!/\s/.test(c)) lastSignificant = c;
    i += 1;
  }
  return out;
}

// ---- scanning -------------------------------------------------------------------------------

async function walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

/** Flagged lines of one file's text: [{ line, rule, why, text }]. */
export function scan(text, kind) {
  const code = kind === 'js' ? stripComments(text) : text;
  const rules = kind === 'js' ? JS_RULES : HTML_RULES;
  const found = [];
  const original = text.split('\n');
  code.split('\n').forEach((line, idx) => {
    for (const r of rules) {
      if (r.re.test(line)) found.push({ line: idx + 1, rule: r.rule, why: r.why, text: (original[idx] ?? line).trim() });
    }
  });
  return found;
}

function selfTest() {
  const bad = {
    'html-property': "el.innerHTML = `<b>${name}</b>`;",
    'html-insert': "el.insertAdjacentHTML('beforeend', x);",
    'swal-call': 'Swal.fire({ icon: "error" });',
    'swal-html-option': '  html: `<p>${detail}</p>`,',
    'markup-string': "const row = '<tr><td>' + name + '</td></tr>';",
    'inline-handler': "img.setAttribute('x', 'a onerror=\"alert(1)\"');",
    'javascript-url': "a.href = 'javascript:alert(1)';",
  };
  for (const [rule, line] of Object.entries(bad)) {
    if (!scan(line, 'js').some((f) => f.rule === rule)) throw new Error(`check-sinks self-test: rule ${rule} missed: ${line}`);
  }
  const fine = [
    "h('p', { class: 'text-sm' }, name);",
    "fire({ titleText: name, text: detail });",
    '// el.innerHTML = x  (a comment)',
    "const re = /[&<>\"']/g; // regex with quotes",
    "if (a < b && c > d) return;",
  ];
  for (const line of fine) {
    const f = scan(line, 'js');
    if (f.length) throw new Error(`check-sinks self-test: false positive ${f[0].rule}: ${line}`);
  }
}

async function main() {
  selfTest();
  const files = [
    ...(await walk(join(root, 'src', 'js'))).filter((f) => f.endsWith('.js') || f.endsWith('.mjs')),
    join(root, 'src', 'config.js'),
    ...(await walk(join(root, 'src', 'pages'))).filter((f) => f.endsWith('.html')),
  ];
  const used = new Set();
  const problems = [];
  for (const file of files) {
    const rel = relative(root, file).split('\\').join('/');
    const kind = file.endsWith('.html') ? 'html' : 'js';
    for (const f of scan(await readFile(file, 'utf8'), kind)) {
      const allow = ALLOW.findIndex((a) => a.file === rel && a.rule === f.rule && f.text.includes(a.match));
      if (allow >= 0) used.add(allow);
      else problems.push(`${rel}:${f.line}: [${f.rule}] ${f.why}\n    ${f.text}`);
    }
  }
  ALLOW.forEach((a, i) => {
    if (!used.has(i)) problems.push(`scripts/check-sinks.mjs: allow-list entry matches nothing any more (remove it): ${a.file} [${a.rule}] ${a.match}`);
  });
  if (problems.length) {
    console.error(`check-sinks: ${problems.length} problem(s) — user data must reach the DOM as text:\n${problems.join('\n')}`);
    process.exit(1);
  }
  console.log(`check-sinks: ${files.length} files, no HTML sinks outside the ${ALLOW.length} reviewed uses`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
