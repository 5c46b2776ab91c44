/**
 * The `openrms` command as a user runs it, against a service started with `openrms serve` in a
 * temporary folder: users added beside it with `openrms users add`, each signed in with
 * `openrms login` into a store of their own (OPENRMS_HOME). Loads the compiled package (dist/).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { requireBuilt, ROOT } from './built-package';

const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

export interface CliUser {
  email: string;
  admin?: boolean;
}

export interface CliRunOptions {
  /** Run as this user: OPENRMS_HOME is their store. */
  as?: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

export interface CliOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The password `openrms users add` gives `email`. */
export function cliPasswordOf(email: string): string {
  return `pw-${email.split('@')[0]}-secret`;
}

export class CliService {
  private constructor(readonly root: string, readonly url: string, private readonly serve: ChildProcess) {}

  /** Adds `users` to a new service's data folder, starts `openrms serve` on a free port and signs each user in. */
  static async start(users: readonly CliUser[]): Promise<CliService> {
    requireBuilt();
    const root = mkdtempSync(path.join(os.tmpdir(), 'openrms-cli-'));
    const data = path.join(root, 'service');
    const setUp = (args: string[], input = ''): void => {
      const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: root, encoding: 'utf8', input, timeout: 60000 });
      if (r.status !== 0) throw new Error(`openrms ${args[0]} failed: ${r.stderr}`);
    };
    for (const u of users) setUp(['users', 'add', u.email, '--password-stdin', '--data', data, ...(u.admin ? ['--admin'] : [])], `${cliPasswordOf(u.email)}\n`);
    const serve = spawn(process.execPath, [MAIN, 'serve', '--data', data, '--listen', '127.0.0.1:0', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stderr!.resume();
    const [line] = await once(serve.stdout!, 'data') as [Buffer];
    const service = new CliService(root, JSON.parse(line.toString().split('\n')[0]!).url as string, serve);
    for (const u of users) service.ok(['login', u.email, '--service', service.url, '--password-stdin'], { as: u.email, input: `${cliPasswordOf(u.email)}\n` });
    return service;
  }

  storeOf(email: string): string {
    return path.join(this.root, 'users', email);
  }

  run(args: readonly string[], o: CliRunOptions = {}): CliOutcome {
    const env = { ...process.env, ...(o.as === undefined ? {} : { OPENRMS_HOME: this.storeOf(o.as) }), ...o.env };
    const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: this.root, encoding: 'utf8', input: o.input ?? '', env, timeout: 60000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** stdout of a command that must succeed. */
  ok(args: readonly string[], o: CliRunOptions = {}): string {
    const r = this.run(args, o);
    if (r.status !== 0) throw new Error(`openrms ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Stops the service (its clients then find nobody at its URL). */
  async stop(): Promise<void> {
    if (this.serve.exitCode !== null || this.serve.signalCode !== null) return;
    this.serve.kill('SIGTERM');
    await once(this.serve, 'exit');
  }

  async cleanup(): Promise<void> {
    await this.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}
