// Builds /docs: copies site/docs/* to dist/docs/ and vendors Swagger UI (the npm package
// swagger-ui-dist, never a CDN) into dist/docs/swagger-ui/. Called at the end of
// scripts/build.mjs; also runnable alone: `node scripts/build-docs.mjs`.
import { cp, mkdir, access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The swagger-ui-dist files that site/docs/index.html loads. */
export const SWAGGER_UI_FILES = [
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
];

/**
 * @param {{siteDir?: string, distDir?: string, root?: string, dist?: string}} [options]
 *   siteDir: the site folder (default: this script's parent); distDir: the build output
 *   (default: <siteDir>/dist). `root`/`dist` are accepted as aliases.
 */
export default async function buildDocs(options = {}) {
  const siteDir = resolve(options.siteDir ?? options.root ?? join(here, '..'));
  const distDir = resolve(options.distDir ?? options.dist ?? join(siteDir, 'dist'));
  const docsSrc = join(siteDir, 'docs');
  const docsOut = join(distDir, 'docs');
  const swaggerSrc = join(siteDir, 'node_modules', 'swagger-ui-dist');
  const swaggerOut = join(docsOut, 'swagger-ui');

  await mkdir(swaggerOut, { recursive: true });
  await cp(docsSrc, docsOut, { recursive: true });

  for (const file of SWAGGER_UI_FILES) {
    const from = join(swaggerSrc, file);
    try {
      await access(from);
    } catch {
      throw new Error(`build-docs: ${from} is missing; run \`npm --prefix site install\``);
    }
    await cp(from, join(swaggerOut, file));
  }
  // The licence travels with the vendored code.
  for (const file of ['LICENSE', 'NOTICE']) {
    await cp(join(swaggerSrc, file), join(swaggerOut, file)).catch(() => {});
  }
  return { docsOut, files: SWAGGER_UI_FILES.length };
}

export { buildDocs };

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { docsOut } = await buildDocs();
  console.log(`[build-docs] ${docsOut}`);
}
