/*
 * /docs: Swagger UI (swagger-ui-dist, served by the gateway) renders the
 * gateway's own /openapi.json. Loaded as a file, never inline, so the page
 * keeps `script-src 'self'`.
 */

interface SwaggerUIOptions {
  url: string;
  dom_id: string;
  deepLinking: boolean;
  docExpansion: 'list' | 'full' | 'none';
  defaultModelsExpandDepth: number;
  tryItOutEnabled: boolean;
}

declare global {
  interface Window {
    SwaggerUIBundle?: (options: SwaggerUIOptions) => unknown;
  }
}

const swagger = window.SwaggerUIBundle;
const root = document.getElementById('swagger-ui');
if (!swagger) {
  if (root) root.textContent = 'Swagger UI did not load (/docs/assets/swagger-ui-bundle.js).';
} else {
  swagger({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0, tryItOutEnabled: false });
}

export {};
