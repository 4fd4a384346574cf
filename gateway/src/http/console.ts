import { isIP } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import express, { type RequestHandler, type Router } from 'express';

/*
 * The web console (`GET /`, `/console/…`) and the API reference (`GET /docs`),
 * served by the gateway itself: same origin, same bearer tokens, every asset
 * from this process (the console's bundle from dist/web, Swagger UI from
 * node_modules), nothing from the internet.
 */

/** A demo identity the console offers at sign-in (demo mode only). */
export interface DemoSignIn {
  label: string;
  memberId: string;
  memberName: string;
  roles: string[];
  userRole: string;
  token: string;
}

export interface ConsoleOptions {
  /** Where the console's bundle is (console/build.ts writes it); default `<project>/dist/web`. */
  webDir?: string;
  /** Set only in demo mode: `GET /console/demo-identities` lists them, tokens included. */
  demoIdentities?: readonly DemoSignIn[];
}

/** The folder holding package.json, from here or from dist/. */
export function projectRoot(from: string = __dirname): string {
  for (let at = resolve(from); ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json')) && existsSync(join(at, 'gateway'))) return at;
    if (dirname(at) === at) return resolve(__dirname, '../../..');
  }
}

/**
 * The console's policy: only this origin's scripts, styles, images and
 * connections; no inline script or style, no plugins, no framing.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * /docs relaxes one thing: Swagger UI (React) sets `style` attributes in its
 * markup (collapsing panels, the models' layout), which `style-src 'self'`
 * refuses; scripts stay same-origin only. Its icons are data: SVGs.
 */
export const DOCS_CSP = CONSOLE_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

const withPolicy =
  (policy: string): RequestHandler =>
  (_req, res, next) => {
    res.set({
      'Content-Security-Policy': policy,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    next();
  };

/** The Swagger UI files /docs needs, nothing else of the package. */
const SWAGGER_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png'];

/**
 * Whether the request names the gateway by an IP address or `localhost`:
 * a page of another site that rebinds its own host name to the gateway's
 * address (DNS rebinding) sends that name as Host, and gets no tokens.
 */
export function addressedDirectly(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return isIP(name) !== 0 || name.toLowerCase() === 'localhost';
}

export function consoleRouter(options: ConsoleOptions = {}): Router {
  const web = options.webDir ?? join(projectRoot(), 'dist', 'web');
  const swagger = dirname(require.resolve('swagger-ui-dist/package.json'));
  const router = express.Router();
  const page = (file: string): RequestHandler => (_req, res) => {
    const path = join(web, file);
    if (!existsSync(path)) {
      res.status(503).type('text/plain').send('The console is not built: npm start builds it (or: npm run build:console).\n');
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(path);
  };
  const consolePolicy = withPolicy(CONSOLE_CSP);
  router.get('/', consolePolicy, page('console/index.html'));
  router.get('/console/demo-identities', (req, res) => {
    if (options.demoIdentities && !addressedDirectly(req.get('host'))) {
      res.status(403).type('application/problem+json').json({
        type: 'urn:scf-ledger:problem:forbidden',
        title: 'Forbidden',
        status: 403,
        code: 'FORBIDDEN',
        detail: 'demo identities are handed out only to a page addressed to the gateway by IP address or localhost, not by another host name (a web page that rebinds its own name to this address)',
      });
      return;
    }
    if (!options.demoIdentities) {
      res.status(404).type('application/problem+json').json({
        type: 'urn:scf-ledger:problem:not-found',
        title: 'Not found',
        status: 404,
        code: 'NOT_FOUND',
        detail: 'demo identities are offered only when the gateway runs the demo (SCF_DEMO=true)',
      });
      return;
    }
    res.set('Cache-Control', 'no-store').json({ identities: options.demoIdentities });
  });
  router.use('/console/assets', consolePolicy, express.static(join(web, 'console'), { index: false, fallthrough: false }));
  // The console's own paths (its router's views) all answer its page.
  router.get(/^\/console(\/[a-z-]*)*\/?$/, consolePolicy, page('console/index.html'));
  const docsPolicy = withPolicy(DOCS_CSP);
  router.get('/docs', docsPolicy, page('docs/index.html'));
  router.use('/docs/assets', docsPolicy, express.static(join(web, 'docs'), { index: false, fallthrough: true }));
  for (const file of SWAGGER_FILES) {
    router.get(`/docs/assets/${file}`, docsPolicy, (_req, res) => res.sendFile(join(swagger, file)));
  }
  return router;
}
