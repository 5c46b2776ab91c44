/**
 * Folders of test files: written from a map of relative paths, and listed back. Contents are
 * compared by digest: jest compares Buffers byte by byte, which takes seconds for a few hundred KB.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes each `relative path -> content` under `root` (folders made as needed). */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** Every name under `root` that is not a folder (links not followed), relative, sorted. */
export function listTree(root: string): string[] {
  const names: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const full = path.join(folder, name);
      if (lstatSync(full).isDirectory()) walk(full);
      else names.push(path.relative(root, full));
    }
  };
  walk(root);
  return names.sort();
}

/** The content of every regular file under `root`, by relative path. */
export function readTree(root: string): Record<string, Buffer> {
  return Object.fromEntries(listTree(root).filter((relative) => lstatSync(path.join(root, relative)).isFile())
    .map((relative) => [relative, readFileSync(path.join(root, relative))]));
}

export function digest(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The digest of every regular file under `root`, by relative path; or of each content of `files`. */
export function digestTree(root: string | Record<string, string | Buffer>): Record<string, string> {
  const files = typeof root === 'string' ? readTree(root) : root;
  return Object.fromEntries(Object.entries(files).map(([relative, content]) => [relative, digest(content)]));
}
