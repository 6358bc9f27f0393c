// Vite builds the web app into dist/, which web/ui.go embeds into the binary.
// emptyOutDir is off so the tracked dist/.gitkeep survives (go:embed needs the
// folder to exist before the UI was ever built); scripts/clean.js removes the
// previous build's files instead.
import { defineConfig } from 'vite'

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    assetsDir: 'assets',
    target: 'es2020',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': process.env.PINHOLE_URL || 'http://127.0.0.1:8077', '/healthz': process.env.PINHOLE_URL || 'http://127.0.0.1:8077' } },
})
