/**
 * Debian's own `nodejs`, a Node whose OpenSSL is not built in: it links the system's shared
 * libssl3, as a distribution's Node does. It is fetched with `apt-get download` and unpacked with
 * `dpkg-deb -x` into a cache folder (installing it would replace the system's Node), with those
 * of its libraries the system lacks, and run with LD_LIBRARY_PATH pointing into the folder. Its
 * builtins that Debian keeps outside the binary (acorn, cjs-module-lexer, undici) are read from
 * /usr/share/nodejs, so those three arch-independent packages must be installed (.ci/run does).
 * Nothing is skipped: what is missing fails the test, naming what to install.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const EXTERNAL_BUILTINS = { 'node-acorn': 'acorn', 'node-cjs-module-lexer': 'cjs-module-lexer', 'node-undici': 'undici' };

export interface DebianNode {
  /** The `node` executable. */
  readonly node: string;
  /** What to add to the environment to run it. */
  readonly env: NodeJS.ProcessEnv;
  /** The shared libnode it runs on. */
  readonly libnode: string;
  /** The Debian version of the package. */
  readonly version: string;
}

/** Where fetched runtimes are kept between runs: the folder scripts/prebuild/node-runtimes.sh uses too. */
function cacheFolder(): string {
  const preferred = process.env.OPENRMS_CI_CACHE ?? '/var/cache/openrms-ci';
  try {
    mkdirSync(preferred, { recursive: true });
    accessSync(preferred, constants.W_OK);
    return preferred;
  } catch {
    const own = path.join(os.homedir(), '.cache', 'openrms-ci');
    mkdirSync(own, { recursive: true });
    return own;
  }
}

function apt(args: string[], cwd?: string): string {
  const result = spawnSync(args[0]!, args.slice(1), { cwd, encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(`${args.join(' ')} failed (this test needs Debian's apt and its archive): ${result.error?.message ?? result.stderr}`);
  }
  return result.stdout;
}

/** Whether `pkg` is installed for this machine's own architecture (an :i386 copy does not count). */
function installed(pkg: string, arch: string): boolean {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', `${pkg}:${arch}`], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

/** The newest Debian-built nodejs in the archive: the one that runs on a libnodeNNN of its own version. */
function newestDebianNode(): { version: string; libnode: string } {
  const found: { version: string; libnode: string }[] = [];
  for (const stanza of apt(['apt-cache', 'show', 'nodejs']).split(/\n\n+/)) {
    const version = /^Version: (.+)$/m.exec(stanza)?.[1];
    const libnode = /^Depends: .*\b(libnode\d+) \(= ([^)]+)\)/m.exec(stanza);
    if (version !== undefined && libnode !== null && libnode[2] === version) found.push({ version, libnode: libnode[1]! });
  }
  if (found.length === 0) throw new Error("the apt archive has no Debian-built nodejs (one that depends on a libnodeNNN): this test needs Debian's");
  const newest = execFileSync('sort', ['-V'], { input: found.map((f) => f.version).join('\n'), encoding: 'utf8' }).trim().split('\n').pop()!;
  return found.find((f) => f.version === newest)!;
}

/** Debian's nodejs, from the cache or fetched into it. */
export function debianNode(): DebianNode {
  const missing = Object.entries(EXTERNAL_BUILTINS).filter(([, dir]) => !existsSync(path.join('/usr/share/nodejs', dir)));
  if (missing.length > 0) {
    const names = missing.map(([pkg]) => pkg).join(' ');
    throw new Error(`Debian's nodejs reads builtins from /usr/share/nodejs: apt-get install ${names} (.ci/run installs them)`);
  }
  const { version, libnode } = newestDebianNode();
  const folder = path.join(cacheFolder(), `node-debian-${os.arch()}-${version}`);
  if (!existsSync(path.join(folder, 'usr', 'bin', 'node'))) {
    const work = mkdtempSync(`${folder}.download-`);
    try {
      // Its libraries the system lacks (libc-ares2 on a machine with no Debian Node) come along.
      const arch = apt(['dpkg', '--print-architecture']).trim();
      const depends = [...apt(['apt-cache', 'depends', `${libnode}=${version}`]).matchAll(/^\s+Depends: ([a-z0-9][a-z0-9.+-]*)$/gm)]
        .map((m) => m[1]!).filter((pkg) => !installed(pkg, arch));
      // apt's sandbox user could not write into the cache folder; the download is checked all the same.
      apt(['apt-get', 'download', '-qq', '-o', 'APT::Sandbox::User=root', `nodejs=${version}`, `${libnode}=${version}`, ...depends], work);
      const unpacked = path.join(work, 'root');
      for (const deb of readdirSync(work).filter((f) => f.endsWith('.deb'))) {
        execFileSync('dpkg-deb', ['-x', path.join(work, deb), unpacked]);
      }
      renameSync(unpacked, folder);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const libdir = readdirSync(path.join(folder, 'usr', 'lib'))
    .map((d) => path.join(folder, 'usr', 'lib', d))
    .find((d) => existsSync(d) && readdirSync(d).some((f) => f.startsWith('libnode.so')));
  if (libdir === undefined) throw new Error(`no libnode.so under ${folder}/usr/lib`);
  const libnodeFile = path.join(libdir, readdirSync(libdir).find((f) => f.startsWith('libnode.so'))!);
  const node = path.join(folder, 'usr', 'bin', 'node');
  const unresolved = execFileSync('ldd', [node], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: libdir } })
    .split('\n').filter((line) => line.includes('not found'));
  if (unresolved.length > 0) throw new Error(`Debian's node in ${folder} lacks libraries: ${unresolved.map((l) => l.trim()).join('; ')}`);
  return { node, env: { LD_LIBRARY_PATH: libdir }, libnode: libnodeFile, version };
}
