/**
 * The prebuilds made by `npm run prebuild:all` (scripts/prebuild/), and the Nodes of their
 * platforms that scripts/prebuild/node-runtimes.sh fetches. These need the cross toolchains,
 * qemu-user and wine that `.ci/run` installs: under CI (CI=true) a test whose prebuild or
 * runtime is missing fails; on a developer's machine without them it is skipped, saying why.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT } from './built-package';

export type PrebuildTarget = 'linux-x64' | 'linux-ia32' | 'linux-arm64' | 'win32-x64' | 'win32-ia32';
export const PREBUILD_TARGETS: readonly PrebuildTarget[] = ['linux-x64', 'linux-ia32', 'linux-arm64', 'win32-x64', 'win32-ia32'];

/** Why the prebuild of `target` cannot be tested here, or undefined when it can. */
export function missingPrebuild(target: PrebuildTarget): string | undefined {
  const built = [path.join(ROOT, 'prebuilds', target, 'openrms.node'), path.join(ROOT, 'build-prebuilds', target, 'openssl-headers.json')];
  const absent = built.find((file) => !existsSync(file));
  if (absent !== undefined) return `${path.relative(ROOT, absent)} is missing: run scripts/prebuild/debian-packages.sh, then npm run prebuild:all ${target}`;
  if (target.startsWith('win32') && !existsSync('/usr/bin/wine')) return 'wine is not installed: run scripts/prebuild/debian-packages.sh';
  return undefined;
}

/** `describe` when every target's prebuild is there; otherwise a failure under CI, a skip elsewhere. */
export function describeWithPrebuilds(name: string, targets: readonly PrebuildTarget[], body: () => void): void {
  const reasons = targets.map(missingPrebuild).filter((reason): reason is string => reason !== undefined);
  if (reasons.length === 0) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => test('has its prebuilds and platform runtimes', () => {
      throw new Error(reasons.join('\n'));
    }));
  } else {
    describe.skip(`${name} (skipped: ${reasons[0]})`, body);
  }
}

let runtimes: Map<string, string[]> | undefined;

/** The command that starts a Node of `target`'s platform (this Node for linux-x64). */
export function nodeOf(target: PrebuildTarget): string[] {
  if (target === 'linux-x64') return [process.execPath];
  runtimes ??= new Map(execFileSync('bash', [path.join(ROOT, 'scripts', 'prebuild', 'node-runtimes.sh')], { encoding: 'utf8' })
    .trim().split('\n').map((line) => {
      const [name, ...command] = line.split(' ');
      return [name!, command];
    }));
  const command = runtimes.get(target);
  if (command === undefined) throw new Error(`node-runtimes.sh names no Node for ${target}`);
  return command;
}

/** A Wine prefix of its own (scripts/prebuild/wine-prefix.sh), removed by `dispose`. */
export interface WinePrefix {
  env: NodeJS.ProcessEnv;
  dispose(): void;
}

export function createWinePrefix(): WinePrefix {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'openrms-wine-test-'));
  const env = { ...process.env, WINEPREFIX: folder, WINEDEBUG: '-all', DISPLAY: '' };
  execFileSync('bash', ['-c', `source ${JSON.stringify(path.join(ROOT, 'scripts', 'prebuild', 'wine-prefix.sh'))} && wine_prefix_at "$WINEPREFIX"`],
    { env, stdio: 'ignore', timeout: 300_000 });
  return {
    env,
    dispose: () => {
      // Ends the prefix's wineserver, if one still runs (it exits by itself a few seconds after its last program).
      spawnSync('wineserver', ['-k'], { env, stdio: 'ignore' });
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `script args...` on the Node of `target` (or the command `node`) in the package root and returns what the script
 * wrote to its result file (its last argument) as JSON. Its output goes to a file too: under
 * wine, node.exe cannot open a Linux pipe as its stdout.
 */
export function runOnPlatform(target: PrebuildTarget, script: string, args: string[], env: NodeJS.ProcessEnv, folder: string,
  node: string[] = nodeOf(target)): unknown {
  const result = path.join(folder, `${target}.json`);
  const log = path.join(folder, `${target}.log`);
  const [command, ...prefix] = node;
  const fd = openSync(log, 'w');
  let run;
  try {
    run = spawnSync(command!, [...prefix, script, ...args, result], { cwd: ROOT, env, stdio: ['ignore', fd, fd], timeout: 240_000 });
  } finally {
    closeSync(fd);
  }
  try {
    return JSON.parse(readFileSync(result, 'utf8'));
  } catch {
    throw new Error(`${path.basename(script)} wrote no result on ${target} (exit ${run.status}, ${run.signal ?? 'no signal'}): ${readFileSync(log, 'utf8')}`);
  }
}
