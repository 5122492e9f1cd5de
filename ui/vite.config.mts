import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

const outDir = fileURLToPath(new URL('../dist/ui', import.meta.url));

/** Brotli and gzip copies beside each asset, which the server sends to browsers that accept them. */
function precompress(): Plugin {
  return {
    name: 'samplane-precompress',
    apply: 'build',
    writeBundle() {
      const assets = join(outDir, 'assets');
      for (const name of readdirSync(assets)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const content = readFileSync(join(assets, name));
        writeFileSync(join(assets, `${name}.br`), brotliCompressSync(content));
        writeFileSync(join(assets, `${name}.gz`), gzipSync(content, { level: 9 }));
      }
    },
  };
}

/** The dashboard: built into dist/ui, where the server serves it from. */
export default defineConfig({
  root,
  base: '/',
  plugins: [precompress()],
  // Preact's JSX runtime, compiled by Vite's own transformer: no framework plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir,
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
