// Builds the static site into site/dist/: pages, ES modules, Tailwind CSS, vendored libraries,
// /docs (if site/docs exists) and, last, the docs engineer's hook (scripts/build-docs.mjs).
import { cp, mkdir, rm, readdir, readFile, writeFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const started = Date.now();

const log = (msg) => console.log(`[build] ${msg}`);

async function walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

// 1. Clean.
await rm(dist, { recursive: true, force: true });
await mkdir(join(dist, 'assets'), { recursive: true });
await mkdir(join(dist, 'vendor'), { recursive: true });

// 2. Pages (src/pages/*.html → dist/*.html), with a cache-busting build stamp.
const stamp = Date.now().toString(36);
for (const file of await readdir(join(src, 'pages'))) {
  if (!file.endsWith('.html')) continue;
  const html = (await readFile(join(src, 'pages', file), 'utf8')).replaceAll('__BUILD__', stamp);
  await writeFile(join(dist, file), html);
}
log('pages copied');

// 3. JavaScript modules and the API config (src/config.js → dist/js/config.js).
await cp(join(src, 'js'), join(dist, 'js'), { recursive: true });
await cp(join(src, 'config.js'), join(dist, 'js', 'config.js'));
if (existsSync(join(src, 'img'))) await cp(join(src, 'img'), join(dist, 'img'), { recursive: true });
log('scripts copied');

// 4. Tailwind CSS (compiled, minified; never a CDN).
const tailwindBin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tailwindcss.cmd' : 'tailwindcss');
const tw = spawnSync(tailwindBin, ['-c', join(root, 'tailwind.config.cjs'), '-i', join(src, 'styles.css'), '-o', join(dist, 'assets', 'app.css'), '--minify'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'pipe'],
  env: { ...process.env, BROWSERSLIST_IGNORE_OLD_DATA: '1' },
});
if (tw.status !== 0) {
  process.stderr.write(tw.stderr);
  throw new Error('tailwindcss failed');
}
log(`tailwind → assets/app.css (${(await stat(join(dist, 'assets', 'app.css'))).size} bytes)`);

// 5. Vendored libraries (from node_modules, never a CDN).
const pkgDir = (name) => join(root, 'node_modules', name);
const vendor = [
  ['sweetalert2', 'dist/sweetalert2.esm.all.min.js', 'sweetalert2.esm.all.min.js'],
  ['chart.js', 'dist/chart.umd.min.js', 'chart.umd.min.js'],
  ['qrcode-generator', 'dist/qrcode.mjs', 'qrcode.mjs'],
];
for (const [name, from, to] of vendor) {
  await cp(join(pkgDir(name), from), join(dist, 'vendor', to));
}
// @noble/ed25519 is one dependency-free ES module (the gate's fallback where WebCrypto has no
// Ed25519). jsQR ships only a UMD bundle: wrapped into an ES module whose default export is the
// decoder (the UMD sees `module`/`exports` and sets module.exports; nothing lands on window).
await cp(join(pkgDir('@noble/ed25519'), 'index.js'), join(dist, 'vendor', 'noble-ed25519.mjs'));
const jsqr = await readFile(join(pkgDir('jsqr'), 'dist', 'jsQR.js'), 'utf8');
await writeFile(join(dist, 'vendor', 'jsqr.mjs'),
  `// jsQR ${JSON.parse(await readFile(join(pkgDir('jsqr'), 'package.json'), 'utf8')).version} (Apache-2.0), wrapped as an ES module by scripts/build.mjs.\n`
  + `const module = { exports: {} };\nconst exports = module.exports;\n${jsqr}\nexport default module.exports;\n`);
log(`vendored ${[...vendor.map((v) => v[0]), '@noble/ed25519', 'jsqr'].join(', ')}`);

// 6. /docs, written by the docs engineer (copied as is when present).
const docs = join(root, 'docs');
if (existsSync(docs)) {
  await cp(docs, join(dist, 'docs'), { recursive: true });
  log('docs/ copied to dist/docs/');
}

// 7. The docs hook (vendors Swagger UI); provided by the docs engineer.
const hook = join(root, 'scripts', 'build-docs.mjs');
if (existsSync(hook)) {
  const mod = await import(pathToFileURL(hook).href);
  const run = mod.default ?? mod.buildDocs ?? mod.build;
  if (typeof run === 'function') await run({ root, dist });
  log('build-docs.mjs ran');
}

const files = await walk(dist);
log(`done: ${files.length} files in ${relative(process.cwd(), dist) || dist} (${Date.now() - started} ms)`);
