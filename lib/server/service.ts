/**
 * `openrms serve`: the licensing service on a data folder, its data in SQLite there or in a
 * PostgreSQL database several instances share. Plain HTTP only on loopback (the default,
 * 127.0.0.1); any other address needs a TLS certificate. Its HTTP layer is Fastify
 * (http-server.ts); each request is logged as one JSON line through pino (service-log.ts) and
 * counted in the metrics (service-metrics.ts); `close()` stops accepting, lets requests in flight
 * finish (for up to `shutdownGraceMs`), then closes the database.
 */
import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';

import { fileSystemError, invalidArgument, RmsError } from '../errors';
import { Accounts } from './accounts';
import { AccessTokens } from './access-tokens';
import { AuditLog } from './audit-log';
import { ContentRegistry } from './content-registry';
import { DataFolder, openDataFolder, ServiceSettings } from './data-folder';
import { buildHttpServer } from './http-server';
import { Groups } from './groups';
import { Licensing } from './licensing';
import { RateWindow } from './rate-window';
import { openStorage, Storage } from './storage/storage';
import { RouteContext, SIGNUPS_PER_CLIENT } from './routes';
import { pinKeys, ServiceKeys } from './service-keys';
import { resolveLimits, ServiceLimits } from './service-limits';
import { LogEntry, serviceLog } from './service-log';
import { METRICS_ACCESS, MetricsAccess, ServiceMetrics } from './service-metrics';
import { SignInGuard } from './sign-in-guard';
import { Templates } from './templates';

export type { LogEntry } from './service-log';

export interface ServiceOptions {
  /** The data folder (created on first start): keys, settings, outbox, and the SQLite database unless `db` is given. */
  dataDir: string;
  /**
   * A postgres:// URL: the service's data in that PostgreSQL database, which several instances
   * (each with the same keys and settings in its data folder) can share. SQLite in the data
   * folder when not given.
   */
  db?: string;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** PEM certificate and key files: required to listen anywhere but loopback. */
  tls?: { certFile: string; keyFile: string };
  /** The URL clients reach the service at, when not the listening address (behind a proxy). */
  publicUrl?: string;
  /** Where structured logs go (default: one JSON line per entry on stderr, written asynchronously). */
  log?: (entry: LogEntry) => void;
  /**
   * Who may read `/metrics`: `loopback` (the default: a Prometheus on the same machine, or one
   * reaching it through a tunnel or sidecar), `anyone` (the port is reachable only from the
   * monitoring network), or `nobody` (no /metrics at all).
   */
  metricsAccess?: MetricsAccess;
  /** Grace period for requests in flight at shutdown (default 10 s). */
  shutdownGraceMs?: number;
  /** Connections, timeouts and memory for request bodies (defaults in DEFAULT_LIMITS, docs/protocol.md). */
  limits?: ServiceLimits;
  /** Seconds since the epoch (tests move time). */
  now?: () => number;
}

export interface RunningService {
  /** The base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  folder: DataFolder;
  storage: Storage;
  accounts: Accounts;
  templates: Templates;
  /** The service's own groups, which grants to a group address reach (`openrms groups`). */
  groups: Groups;
  audit: AuditLog;
  metrics: ServiceMetrics;
  close(): Promise<void>;
}

/** Options a worker of `runWorkers` is started with (workers.ts): the serializable part of ServiceOptions. */
export interface WorkerContext {
  /** The worker's number (cluster.worker.id), in every log line. */
  worker: number;
  /**
   * The keys the primary read and pinned in the database when the service started
   * (worker-keys.ts): the worker neither reads the keys folder nor pins them again. After
   * `openrms keys rotate` the database is pinned to their successor, and a worker started since
   * goes on with its service's generation, as a running instance does, until the service restarts.
   */
  keys?: ServiceKeys;
  /**
   * The settings (service.json) the primary read at start, for the same reason: a worker that
   * replaces one that died runs what the others run, whatever was edited in service.json since.
   */
  settings?: ServiceSettings;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function readPem(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw fileSystemError(error, file);
  }
}

export async function startService(options: ServiceOptions, worker?: WorkerContext): Promise<RunningService> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidArgument('port', 'an integer from 0 to 65535');
  if (options.tls === undefined && !isLoopback(host)) {
    throw invalidArgument('host', 'a loopback address unless a TLS certificate is given (plain HTTP only on loopback)');
  }
  const metricsAccess = options.metricsAccess ?? 'loopback';
  if (!METRICS_ACCESS.includes(metricsAccess)) throw invalidArgument('metricsAccess', METRICS_ACCESS.map((a) => `'${a}'`).join(', '));
  const limits = resolveLimits(options.limits);
  const log = serviceLog(options.log, worker === undefined ? {} : { worker: worker.worker });
  const now = options.now ?? ((): number => Math.floor(Date.now() / 1000));
  const tls = options.tls === undefined ? undefined : { cert: readPem(options.tls.certFile), key: readPem(options.tls.keyFile) };

  const folder = openDataFolder(options.dataDir, { keys: worker?.keys, settings: worker?.settings });
  const storage = await openStorage({
    dataDir: folder.dir, db: options.db ?? folder.settings.db ?? undefined, timeoutMs: limits.databaseTimeoutMs, onIdleError: (error) => log.write('warn', 'database-connection-lost', { detail: error.message }),
  });
  let context: RouteContext | null = null;
  /** The 401 challenge (DESIGN decision 8), set once the service knows its URL. */
  let challenge = '';
  let closing: Promise<void> | null = null;
  const metrics = new ServiceMetrics(() => storage.connections(), worker !== undefined);
  let http: ReturnType<typeof buildHttpServer>;
  let address: AddressInfo;
  try {
    if (worker?.keys === undefined) await pinKeys(storage.keys, folder.keys, { keysDir: `${folder.dir}/keys`, database: storage.location });
    http = buildHttpServer({
      limits, tls, log, metrics, metricsAccess, context: () => context, challenge: () => challenge, closing: () => closing !== null,
    });
    try {
      await http.app.listen({ host, port });
    } catch (cause) {
      throw new RmsError('IO_ERROR', `cannot listen on ${host}:${port}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
    }
    address = http.server.address() as AddressInfo;
  } catch (error) {
    metrics.close();
    await storage.close();
    throw error;
  }
  const { app, server } = http;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const baseUrl = (options.publicUrl ?? `${options.tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`).replace(/\/+$/, '');
  const accounts = new Accounts(storage, now);
  const templates = new Templates(storage.templates, now);
  const audit = new AuditLog(storage.audit, now);
  const groups = new Groups(storage.groups, now);
  const licensing = new Licensing({
    signingKey: folder.signingKey, wrappingKey: folder.wrappingKey, succession: folder.keys.succession, retiredWrappingKeys: folder.keys.retiredWrapping,
    groups, settings: folder.settings, templates,
    content: new ContentRegistry(storage.content, now), accounts, audit, now,
  }, { base: baseUrl });
  context = { folder, accounts, tokens: new AccessTokens(folder.signingKey, () => baseUrl, folder.settings.oidc, licensing.slc.signingKeys), licensing, templates, audit,
    signInGuard: new SignInGuard(storage.limits, now),
    signUpsPerClient: new RateWindow(storage.limits, { kind: 'sign-up-client', limit: SIGNUPS_PER_CLIENT, windowSeconds: 3600 }, now),
    metrics, ping: () => storage.ping(), database: storage.kind, closing: () => closing !== null, baseUrl, now };
  challenge = `Bearer authorization_uri="${baseUrl}/_wmcs/oauth2", resource="${baseUrl}"`;
  log.write('info', 'started', { url: baseUrl, dataDir: folder.dir, database: `${storage.kind} ${storage.location}`, service: licensing.slc.claims.sub });

  const close = (): Promise<void> => (closing ??= (async () => {
    // Fastify closes the server (no new connections) and waits for it; idle kept-alive
    // connections are closed now, the others once their answer is sent (Connection: close).
    const closed = app.close();
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
    await closed;
    clearTimeout(grace);
    licensing.close();
    metrics.close();
    await storage.close();
    log.write('info', 'stopped', { url: baseUrl });
    log.flush();
  })());
  return { url: baseUrl, folder, storage, accounts, templates, groups, audit, metrics, close };
}
