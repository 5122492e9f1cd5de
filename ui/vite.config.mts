import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The dashboard: built into dist/ui, where the server serves it from. */
export default defineConfig({
  root,
  base: '/',
  // Preact's JSX runtime, compiled by Vite's own transformer: no framework plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // Small enough to inline nothing: every asset is a cacheable file.
    assetsInlineLimit: 0,
  },
  test: {
    root,
    environment: 'happy-dom',
    include: ['test/**/*.test.tsx'],
  },
});
