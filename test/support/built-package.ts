/**
 * Tests that start other threads or processes load the compiled package (dist/), the way a
 * user does. `npm test` builds it first (scripts/test.js).
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

export function requireBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm test` (or `npm run build:ts`) so the compiled package exists');
  }
}

/** Runs `node [flags] -e script` in the package root and returns its outcome. */
export function runNode(script: string, flags: string[] = [], options: { input?: string; module?: boolean } = {}): SpawnSyncReturns<string> {
  requireBuilt();
  const args = [...flags, ...(options.module ? ['--input-type=module'] : []), '-e', script];
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', input: options.input, timeout: 60000 });
}
