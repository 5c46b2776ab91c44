/**
 * An application's folder with openrms installed in its node_modules, as npm lays it out, for
 * tests that run code the way a user of the package does: `require('openrms')` resolves to a
 * copy of the compiled package (package.json, dist/, the addon node-gyp-build loads), and its
 * dependencies are links to this repository's. A copy, not a link: Node resolves a package's
 * own requires from its real path, and a link back into the repository would find every
 * devDependency there (better-sqlite3 among them).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { requireBuilt, ROOT } from './built-package';

export interface ConsumerFolder {
  /** The application's folder: run node here. */
  readonly dir: string;
  /** node_modules/openrms inside it. */
  readonly packageDir: string;
  /** Installs a package of this repository's node_modules beside openrms (a link to it). */
  link(name: string): void;
  remove(): void;
}

/** The addon file node-gyp-build picks for this platform in `root` (a prebuild first, else build/Release). */
export function loadedAddon(root: string = ROOT): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
  return nodeGypBuild.resolve(root);
}

export interface ConsumerOptions {
  /** Dependencies not to install (as when an optional peer dependency was never installed). */
  without?: readonly string[];
  /** Install this `npm pack` tarball's files, instead of a copy of the built package. */
  tarball?: string;
}

/** Lays out an application with openrms installed and the package's dependencies beside it. */
export function makeConsumerFolder(options: ConsumerOptions = {}): ConsumerFolder {
  requireBuilt();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-app-'));
  const modules = path.join(dir, 'node_modules');
  const packageDir = path.join(modules, 'openrms');
  mkdirSync(packageDir, { recursive: true });
  if (options.tarball === undefined) {
    cpSync(path.join(ROOT, 'package.json'), path.join(packageDir, 'package.json'));
    cpSync(path.join(ROOT, 'dist'), path.join(packageDir, 'dist'), { recursive: true });
    const addon = loadedAddon();
    const addonCopy = path.join(packageDir, path.relative(ROOT, addon));
    mkdirSync(path.dirname(addonCopy), { recursive: true });
    cpSync(addon, addonCopy);
  } else {
    // npm's tarballs hold the package under package/.
    execFileSync('tar', ['-xzf', options.tarball, '-C', packageDir, '--strip-components=1']);
  }
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const link = (name: string): void => {
    const at = path.join(modules, name);
    mkdirSync(path.dirname(at), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', name), at, 'dir');
  };
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (!options.without?.includes(name)) link(name);
  }
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'openrms-consumer', private: true })}\n`);
  return { dir, packageDir, link, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface NodeOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node args...` in `dir`, without blocking this process: a test's licensing service,
 * which answers the child, runs here.
 */
export function runNodeIn(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<NodeOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

/**
 * Compiles `file` in `dir` as an application would, with this repository's TypeScript and
 * `compilerOptions` (strict, and the package's own .d.ts checked too); returns the compiler's
 * messages, '' when there are none.
 */
export function compileIn(dir: string, file: string, compilerOptions: Record<string, unknown>): string {
  const config = path.join(dir, `tsconfig.${path.basename(file)}.json`);
  writeFileSync(config, JSON.stringify({
    compilerOptions: { target: 'es2022', strict: true, skipLibCheck: false, types: ['node'], esModuleInterop: true, ...compilerOptions },
    files: [file],
  }));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', config], { cwd: dir, encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}
