// The web console (index.html) and its field mode (field.html): two entries, so the phone loads only its own code.
import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'

export default defineConfig({
  root: import.meta.dirname,
  plugins: [preact()],
  build: {
    outDir: resolve(import.meta.dirname, '../build/console'),
    emptyOutDir: true,
    // Phones in the field run recent Chromium/WebKit; no legacy bundle.
    target: 'es2020',
    assetsInlineLimit: 0,
    // ECharts' own chunk (about 500 kB, 170 kB compressed) loads only on the statistics screen, never first.
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        field: resolve(import.meta.dirname, 'field.html'),
      },
    },
  },
})
