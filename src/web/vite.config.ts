import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Paths the Firebreak server answers itself; the dev server forwards them to a local `firebreak serve`. */
const serverPaths = ['/api', '/healthz', '/readyz', '/metrics'];
const devServerTarget = 'http://localhost:8080';

// The server serves dist/web at `/` under a strict Content-Security-Policy (script-src 'self'):
// the build must contain no inline scripts and load nothing from other origins.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: Object.fromEntries(serverPaths.map((path) => [path, { target: devServerTarget, changeOrigin: false }])),
  },
});
