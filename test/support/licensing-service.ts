/**
 * A real licensing service on loopback for tests: SQLite and keys in a temporary folder, users
 * with passwords, and a signed-in RmsClient per user, each with its own store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { passwordTokenProvider, RmsClient, RmsClientOptions } from '../../lib';
import { LogEntry, RunningService, startService, ServiceOptions } from '../../lib/server';

export interface TestService {
  service: RunningService;
  root: string;
  logs: LogEntry[];
  /** Adds a user with the password `password-<local part>`. */
  addUser(email: string, options?: { admin?: boolean; superUser?: boolean }): Promise<void>;
  /** Signs `email` in, with a store of its own under root. */
  signIn(email: string, options?: RmsClientOptions): Promise<RmsClient>;
  /** The same user's store, reopened (as a later process would). */
  reopen(email: string, options?: RmsClientOptions): RmsClient;
  stop(): Promise<void>;
  cleanup(): Promise<void>;
}

export function passwordOf(email: string): string {
  return `password-${email.split('@')[0]}`;
}

export async function startTestService(options: Partial<ServiceOptions> = {}, root = mkdtempSync(path.join(os.tmpdir(), 'openrms-svc-'))): Promise<TestService> {
  const logs: LogEntry[] = [];
  const service = await startService({ dataDir: path.join(root, 'service'), port: 0, log: (e) => logs.push(e), ...options });
  let stopped = false;
  const storeOf = (email: string) => path.join(root, 'users', email);
  const stop = async (): Promise<void> => {
    if (!stopped) await service.close();
    stopped = true;
  };
  return {
    service, root, logs, stop,
    addUser: async (email, o = {}) => { await service.accounts.addUser(email, { password: passwordOf(email), ...o }); },
    signIn: (email, o = {}) => RmsClient.signIn({
      store: storeOf(email), serviceUrl: service.url, tokenProvider: passwordTokenProvider(email, passwordOf(email), { ca: o.ca }), ...o,
    }),
    reopen: (email, o = {}) => RmsClient.open({ store: storeOf(email), ...o }),
    cleanup: async () => {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
