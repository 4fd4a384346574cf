import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/*
 * Builds the web console and the /docs page into dist/web: one bundle per
 * page (esbuild, TypeScript and JSX for Preact; `npm run typecheck` checks the
 * same sources through tsconfig.json), plus the pages' HTML and CSS. Lives in scripts/ (Node code, the root tsconfig);
 * console/ holds only the browser's code (console/tsconfig.json). The
 * gateway serves dist/web; `npm start` runs this before starting it.
 */

const ROOT = resolve(__dirname, '..');
const SHIMS = join(ROOT, 'console', 'src', 'shims');
export const WEB_DIR = join(ROOT, 'dist', 'web');

export async function buildConsole(outDir: string = WEB_DIR): Promise<void> {
  const src = join(ROOT, 'console', 'src');
  await mkdir(join(outDir, 'console'), { recursive: true });
  await mkdir(join(outDir, 'docs'), { recursive: true });
  const common = {
    bundle: true,
    format: 'esm' as const,
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning' as const,
    legalComments: 'linked' as const,
    jsx: 'automatic' as const,
    jsxImportSource: 'preact',
    platform: 'browser' as const,
    // The chaincode's financing arithmetic reaches its canonicaliser's node:crypto import; the console never calls it.
    alias: { 'node:crypto': join(SHIMS, 'node-crypto.ts') },
  };
  await Promise.all([
    build({ ...common, entryPoints: [join(src, 'main.tsx')], outfile: join(outDir, 'console', 'app.js') }),
    build({ ...common, entryPoints: [join(ROOT, 'console', 'docs', 'docs.ts')], outfile: join(outDir, 'docs', 'docs.js') }),
    copyFile(join(src, 'index.html'), join(outDir, 'console', 'index.html')),
    copyFile(join(src, 'console.css'), join(outDir, 'console', 'console.css')),
    copyFile(join(ROOT, 'console', 'docs', 'index.html'), join(outDir, 'docs', 'index.html')),
    copyFile(join(ROOT, 'console', 'docs', 'docs.css'), join(outDir, 'docs', 'docs.css')),
  ]);
}

if (require.main === module) {
  const started = Date.now();
  buildConsole().then(
    () => process.stderr.write(`console built in ${Date.now() - started} ms (${WEB_DIR})\n`),
    (err: unknown) => {
      process.stderr.write(`console build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
