/**
 * The real servers tests run against (slapd, dnsmasq, ...) come from Debian packages that
 * `.ci/run` installs. A test whose binary is missing fails, naming the package, and never
 * skips: a skipped test would let CI pass without proving anything.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** The path of `name` (in PATH or the sbin folders), or an Error naming the package to install. */
export function requireBinary(name: string, debianPackage: string): string {
  const folders = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const folder of folders.filter((f) => f !== '')) {
    const file = path.join(folder, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not in this folder.
    }
  }
  throw new Error(`${name} is not installed: this test needs the Debian package ${debianPackage} (apt-get install ${debianPackage}; .ci/run installs it)`);
}

/** A loopback port free just now (the server started next takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `ready()` does, retrying every 50 ms; rejects with `describe()` after `ms`. */
export async function waitUntil(ready: () => Promise<boolean>, ms: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(describe());
}

/** A server started as a child process for a test. */
export interface ChildServer {
  /** What it printed so far (for a failure's message). */
  output(): string;
  /** Whether it is still running. */
  running(): boolean;
  /** Ends it (SIGTERM), waits for it to exit, and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts `binary` with `args` in the foreground as a child whose temporary folder is `dir`
 * (as `user`, when given: a server that refuses root), and waits until `ready()` says it
 * serves; when it does not within 15 s it is stopped and the error quotes what it printed.
 */
export async function startChildServer(binary: string, args: string[], dir: string, ready: () => Promise<boolean>,
  user: { uid?: number; gid?: number } = {}): Promise<ChildServer> {
  const printed: string[] = [];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], ...user });
  child.stdout!.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  let stopped = false;
  const server: ChildServer = {
    output: () => printed.join(''),
    running,
    stop: async () => {
      if (!stopped) {
        stopped = true;
        if (running()) child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntil(async () => running() && ready(), 15_000, () => `${path.basename(binary)} ${args.join(' ')} did not start: ${server.output()}`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
