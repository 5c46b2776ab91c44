/**
 * How much of the service one client can hold: connections, time, and memory for request
 * bodies (docs/protocol.md, "Limits"). The timeouts and the connection cap are node:http's own,
 * set here with defaults meant for a service facing untrusted clients; the memory for bodies is
 * bounded per route (routes.ts) and service-wide by a `BodyBudget` (http-exchange.ts).
 */
import { Server } from 'node:http';

import { invalidArgument } from '../errors';
import { DEFAULT_DATABASE_TIMEOUT_MS } from './storage/postgres-database';

export interface ServiceLimits {
  /** Bytes of request bodies held in memory at once, over all requests (default 64 MiB). */
  bodyBudgetBytes?: number;
  /** Of those, the bytes one client (an IPv4 address, an IPv6 /64) may hold (default 16 MiB). */
  bodyBudgetPerClientBytes?: number;
  /** Connections open at once (default 512); a connection past the cap is closed as it arrives. */
  maxConnections?: number;
  /**
   * Connections one client (an IPv4 address, an IPv6 /64) may hold open at once (default 128);
   * past it a new connection from that client is closed as it arrives, so no one client takes
   * every connection. Clients behind one proxy or NAT share it: raise it for them.
   */
  maxConnectionsPerClient?: number;
  /** Time for a request's headers to arrive (default 10 s). */
  headersTimeoutMs?: number;
  /** Time for a whole request, headers and body, to arrive (default 30 s). */
  requestTimeoutMs?: number;
  /**
   * The longest a request may take from routing to its answer, past which it is answered
   * SERVICE_UNAVAILABLE (503): each route has its own (5 s for discovery and health, 20 s for the
   * sign-in forms, 30 s for the rest), and this caps them all (default 30 s: the routes' own).
   */
  answerTimeoutMs?: number;
  /** How long a kept-alive connection may wait for its next request (default 5 s). */
  keepAliveTimeoutMs?: number;
  /** How long a connection may see no traffic either way, e.g. a client not reading its answer (default 30 s). */
  idleTimeoutMs?: number;
  /**
   * PostgreSQL: how long one statement may run, waits for a lock included, and a request may wait
   * for one of the pool's connections (default 10 s); past it the request is answered
   * SERVICE_UNAVAILABLE (503) instead of waiting for good behind a lock another client holds.
   */
  databaseTimeoutMs?: number;
}

export const DEFAULT_LIMITS: Readonly<Required<ServiceLimits>> = {
  bodyBudgetBytes: 64 * 1024 * 1024,
  bodyBudgetPerClientBytes: 16 * 1024 * 1024,
  maxConnections: 512,
  maxConnectionsPerClient: 128,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  answerTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  databaseTimeoutMs: DEFAULT_DATABASE_TIMEOUT_MS,
};

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof ServiceLimits)[];

/** The limits with defaults filled in; INVALID_ARGUMENT naming `limits.<name>` for a value that is not a positive integer. */
export function resolveLimits(given: ServiceLimits = {}): Required<ServiceLimits> {
  const limits = { ...DEFAULT_LIMITS };
  for (const name of LIMIT_NAMES) {
    const value = given[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) throw invalidArgument(`limits.${name}`, 'a positive integer');
    // Node's timers hold at most 2^31 - 1 ms (24.8 days); past that they fire at once.
    if (name.endsWith('Ms') && value > MAX_TIMEOUT_MS) throw invalidArgument(`limits.${name}`, `at most ${MAX_TIMEOUT_MS} ms`);
    limits[name] = value;
  }
  // node:http refuses this pair itself, with a message about its own property names.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw invalidArgument('limits.headersTimeoutMs', 'at most limits.requestTimeoutMs');
  return limits;
}

/**
 * The options node:http takes only at creation. It checks the headers and request timeouts on
 * a timer, every 30 s by default, so a 10 s headers timeout could take 40 s to fire; checking
 * at the headers timeout (at most every second) keeps each within twice its value.
 */
export function serverOptions(limits: Required<ServiceLimits>): { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number } {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
}

/** The limits node:http sets on a running server. */
export function applyLimits(server: Server, limits: Required<ServiceLimits>): void {
  server.maxConnections = limits.maxConnections;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // With no 'timeout' listener, node:http destroys the socket that went idle.
  server.timeout = limits.idleTimeoutMs;
}
