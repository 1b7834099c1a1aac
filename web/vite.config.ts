import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server proxies the API to a running `wenming serve` (WENMING_API, default
// 127.0.0.1:8080) so the console and the API share one origin, as in production where
// the Go gateway serves both: the refresh cookie is SameSite=Strict and path-scoped.
const api = process.env.WENMING_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [react()],
  server: {
    proxy: {
      '/v1': { target: api, changeOrigin: false },
      '/openapi3.json': api,
      '/openapi.json': api,
      '/.well-known': api,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // The Go server embeds dist and CI rebuilds it to compare: no inlined assets that
    // would need a looser CSP, and nothing that varies between runs.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        docs: resolve(import.meta.dirname, 'docs.html'),
      },
    },
  },
});
