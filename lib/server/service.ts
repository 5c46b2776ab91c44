/**
 * `openrms serve`: the licensing service on a data folder, its data in SQLite there or in a
 * PostgreSQL database several instances share. Plain HTTP only on loopback (the default,
 * 127.0.0.1); any other address needs a TLS certificate. Each request is logged as one JSON
 * line; `close()` stops accepting, lets requests in flight finish (for up to
 * `shutdownGraceMs`), then closes the database.
 */
import { readFileSync } from 'node:fs';
import http, { IncomingMessage, Server, ServerResponse } from 'node:http';
import https from 'node:https';
import { AddressInfo, Socket } from 'node:net';

import { fileSystemError, invalidArgument, RmsError } from '../errors';
import { Account, Accounts } from './accounts';
import { AccessTokens } from './access-tokens';
import { clientNetwork } from './client-network';
import { AuditLog } from './audit-log';
import { ContentRegistry } from './content-registry';
import { DataFolder, openDataFolder } from './data-folder';
import { BodyBudget, RequestBody, sendError, sendJson } from './http-exchange';
import { Licensing } from './licensing';
import { RateWindow } from './rate-window';
import { KeyPurpose } from './storage/key-pins';
import { openStorage, Storage } from './storage/storage';
import { findRoute, RouteContext, RouteRequest, SIGNUPS_PER_CLIENT } from './routes';
import { applyLimits, resolveLimits, serverOptions, ServiceLimits } from './service-limits';
import { SignInGuard } from './sign-in-guard';
import { Templates } from './templates';

export interface LogEntry {
  time: string;
  level: 'info' | 'warn' | 'error';
  event: string;
  [field: string]: unknown;
}

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
  /** Where structured logs go (default: one JSON line per entry on stderr). */
  log?: (entry: LogEntry) => void;
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
  audit: AuditLog;
  close(): Promise<void>;
}

/** What a 503 asks the client to wait: the budget frees as the bodies being read are answered. */
const RETRY_AFTER_SECONDS = 2;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The path of a request target; anything but an origin-form path (`/x?y`) is INVALID_ARGUMENT. */
function requestPath(target: string | undefined): string {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) {
    throw new RmsError('INVALID_ARGUMENT', 'the request target must be a path');
  }
  try {
    return new URL(target, 'http://service').pathname;
  } catch (cause) {
    throw new RmsError('INVALID_ARGUMENT', 'the request target is not a valid path', { cause });
  }
}

function defaultLog(entry: LogEntry): void {
  process.stderr.write(`${JSON.stringify(entry)}\n`);
}

function readPem(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw fileSystemError(error, file);
  }
}

/**
 * Pins the data folder's keys in the database at first start, and refuses keys that are not
 * the ones pinned: content and licenses on record belong to those.
 */
async function checkKeys(storage: Storage, folder: DataFolder): Promise<void> {
  const keys: [KeyPurpose, string][] = [['signing', folder.signingKey.thumbprint()], ['wrapping', folder.wrappingKey.thumbprint()]];
  for (const [purpose, thumbprint] of keys) {
    const pinned = await storage.keys.pin(purpose, thumbprint);
    if (pinned !== thumbprint) {
      throw new RmsError('CONFLICT', `the ${purpose} key in ${folder.dir}/keys is ${thumbprint}, but the database ${storage.location} belongs to key ${pinned}: `
        + 'restore that key, or give every instance on this database the same keys folder');
    }
  }
}

async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) => reject(new RmsError('IO_ERROR', `cannot listen on ${host}:${port}: ${cause.code ?? cause.message}`, { cause })));
    server.listen(port, host, () => resolve());
  });
  return server.address() as AddressInfo;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidArgument('port', 'an integer from 0 to 65535');
  if (options.tls === undefined && !isLoopback(host)) {
    throw invalidArgument('host', 'a loopback address unless a TLS certificate is given (plain HTTP only on loopback)');
  }
  const limits = resolveLimits(options.limits);
  const log = options.log ?? defaultLog;
  const now = options.now ?? ((): number => Math.floor(Date.now() / 1000));
  const emit = (level: LogEntry['level'], event: string, fields: Record<string, unknown> = {}): void =>
    log({ time: new Date().toISOString(), level, event, ...fields });

  const folder = openDataFolder(options.dataDir);
  const storage = await openStorage({
    dataDir: folder.dir, db: options.db, onIdleError: (error) => emit('warn', 'database-connection-lost', { detail: error.message }),
  });
  try {
    await checkKeys(storage, folder);
  } catch (error) {
    await storage.close();
    throw error;
  }
  let context: RouteContext | null = null;
  /** The 401 challenge (DESIGN decision 8), set once the service knows its URL. */
  let challenge = '';
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // serve() answers every error itself; this is the backstop that keeps one bad request
    // from ever becoming an unhandled rejection that ends the process.
    serve(req, res).catch((error: unknown) => {
      emit('error', 'request', { detail: error instanceof Error ? error.stack : String(error) });
      res.destroy();
    });
  };
  let server: Server;
  try {
    server = options.tls === undefined
      ? http.createServer(serverOptions(limits), handle)
      : https.createServer({ ...serverOptions(limits), cert: readPem(options.tls.certFile), key: readPem(options.tls.keyFile) }, handle);
  } catch (error) {
    await storage.close();
    throw error instanceof RmsError ? error : new RmsError('INVALID_ARGUMENT', `the TLS certificate or key is not usable: ${(error as Error).message}`, { cause: error });
  }
  applyLimits(server, limits);
  server.on('drop', (dropped?: { remoteAddress?: string }) => emit('warn', 'connection-dropped', { remote: dropped?.remoteAddress, maxConnections: limits.maxConnections }));
  const budget = new BodyBudget(limits.bodyBudgetBytes, limits.bodyBudgetPerClientBytes);
  const connections = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = clientNetwork(socket.remoteAddress);
    const open = (connections.get(client) ?? 0) + 1;
    if (open > limits.maxConnectionsPerClient) {
      emit('warn', 'connection-dropped', { remote: socket.remoteAddress, maxConnectionsPerClient: limits.maxConnectionsPerClient });
      socket.destroy();
      return;
    }
    connections.set(client, open);
    socket.once('close', () => {
      const left = (connections.get(client) ?? 1) - 1;
      if (left <= 0) connections.delete(client);
      else connections.set(client, left);
    });
  });

  /** The caller a bearer token names, from the headers alone; AUTHENTICATION_FAILED (401 with the challenge) otherwise. */
  async function authenticate(c: RouteContext, req: IncomingMessage): Promise<Account> {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
    if (match === null) throw new RmsError('AUTHENTICATION_FAILED', 'this call needs a bearer token');
    const identity = await c.tokens.verify(match[1]!, now());
    const account = await c.accounts.resolve(identity.email, identity.issuer, identity.issuedAt);
    if (account === null) throw new RmsError('AUTHENTICATION_FAILED', `${identity.email} is no longer an account here, or the token was issued before its account was`);
    return account;
  }

  /**
   * A connection is kept for another request only when this one was read to its end: the
   * service never drains a body it did not want (a refused upload, a client without a token),
   * and stops keeping connections once it is closing.
   */
  function keepAlive(req: IncomingMessage, res: ServerResponse): void {
    if (closing !== null || !req.complete) res.shouldKeepAlive = false;
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let pathname = req.url ?? '/';
    let caller: string | undefined;
    let body: RequestBody | undefined;
    try {
      if (context === null) throw new RmsError('SERVICE_UNAVAILABLE', 'the service is starting');
      const c = context;
      pathname = requestPath(req.url);
      const { route, params } = findRoute(req.method ?? 'GET', pathname);
      // The body is admitted (its declared length checked and taken from the budget) only
      // after the caller is authenticated, so a client without a token costs no body at all.
      const open = (): RouteRequest => {
        const admitted = body = new RequestBody(req, route.maxBodyBytes, budget, clientNetwork(req.socket.remoteAddress));
        return { req, res, params, body: () => admitted.read() };
      };
      const result = route.caller
        ? await authenticate(c, req).then((account) => {
          caller = account.email;
          return route.handler(c, { ...open(), caller: account });
        })
        : await route.handler(c, open());
      keepAlive(req, res);
      sendJson(res, 200, result);
      emit('info', 'request', { method: req.method, path: pathname, status: 200, ms: Number(process.hrtime.bigint() - started) / 1e6, caller });
    } catch (thrown) {
      const error = thrown instanceof RmsError ? thrown : new RmsError('SERVICE_ERROR', 'the service failed to answer', { cause: thrown });
      const headers: Record<string, string> = error.code === 'AUTHENTICATION_FAILED' && challenge !== '' ? { 'www-authenticate': challenge }
        : error.code === 'SERVICE_UNAVAILABLE' ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
      keepAlive(req, res);
      if (!res.headersSent) sendError(res, error, headers);
      else res.destroy();
      const internal = !(thrown instanceof RmsError);
      emit(internal ? 'error' : 'info', 'request', {
        method: req.method, path: pathname, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6, caller, code: error.code,
        ...(internal ? { detail: thrown instanceof Error ? thrown.stack : String(thrown) } : {}),
      });
    } finally {
      body?.release();
    }
  }

  let closing: Promise<void> | null = null;
  let address: AddressInfo;
  try {
    address = await listen(server, host, port);
  } catch (error) {
    await storage.close();
    throw error;
  }
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const baseUrl = (options.publicUrl ?? `${options.tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`).replace(/\/+$/, '');
  const accounts = new Accounts(storage, now);
  const templates = new Templates(storage.templates, now);
  const audit = new AuditLog(storage.audit, now);
  const licensing = new Licensing({
    signingKey: folder.signingKey, wrappingKey: folder.wrappingKey, settings: folder.settings, templates,
    content: new ContentRegistry(storage.content, now), accounts, audit, now,
  }, { base: baseUrl });
  context = { folder, accounts, tokens: new AccessTokens(folder.signingKey, () => baseUrl, folder.settings.oidc), licensing, templates, audit,
    signInGuard: new SignInGuard(storage.limits, now),
    signUpsPerClient: new RateWindow(storage.limits, { kind: 'sign-up-client', limit: SIGNUPS_PER_CLIENT, windowSeconds: 3600 }, now), baseUrl, now };
  challenge = `Bearer authorization_uri="${baseUrl}/_wmcs/oauth2", resource="${baseUrl}"`;
  emit('info', 'started', { url: baseUrl, dataDir: folder.dir, database: `${storage.kind} ${storage.location}`, service: licensing.slc.claims.sub });

  const close = (): Promise<void> => (closing ??= (async () => {
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
    await drained;
    clearTimeout(grace);
    licensing.close();
    await storage.close();
    emit('info', 'stopped', { url: baseUrl });
  })());
  return { url: baseUrl, folder, storage, accounts, templates, audit, close };
}
