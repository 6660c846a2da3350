#!/usr/bin/env node
// The `firebreak` command. Runs the compiled CLI; `npm install` builds it (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  console.error('Firebreak is not built yet: run `npm install` (or `npm run build`) first.');
  process.exit(1);
}
await import(compiled.href);
