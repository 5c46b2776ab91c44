/**
 * Requests through an HTTP proxy. An `https://` service is reached through a CONNECT tunnel
 * (RFC 9110 section 9.3.6) with TLS to the service inside it, so the proxy sees only the host and
 * port; an `http://` service gets absolute-form requests (RFC 9112 section 3.2.2) sent to the proxy.
 *
 * Node 20 has no proxy support in node:http/https. This is a small `https.Agent`
 * whose `createConnection` opens the tunnel, rather than a dependency (https-proxy-agent):
 * that package replays a refused CONNECT to the request as if the service had answered it,
 * where openrms must tell a proxy's refusal (SERVICE_UNAVAILABLE, PROXY_AUTHENTICATION_REQUIRED,
 * naming the proxy) from a service's answer, and keep the proxy's credentials out of both.
 */
import http from 'node:http';
import https from 'node:https';
import { Duplex } from 'node:stream';
import tls from 'node:tls';

import { RmsError } from '../errors';
import { ProxyServer } from './proxy-config';

/** A proxy's 407 as the caller sees it: whether credentials were sent, and what the proxy asked for. */
export function proxyAuthenticationError(proxy: ProxyServer, target: URL, challenge: string | string[] | undefined): RmsError {
  const asked = [challenge ?? []].flat().map((header) => header.split(/\s/, 1)[0]!).filter((scheme) => scheme !== '');
  const basic = asked.length === 0 || asked.some((scheme) => scheme.toLowerCase() === 'basic');
  const reason = !basic
    ? `asks for ${asked.join(' or ')} authentication; openrms sends Basic credentials only`
    : proxy.hasCredentials ? 'refused the credentials given for it' : 'asks for credentials: give them in the proxy URL (http://user:password@host:port)';
  return new RmsError('PROXY_AUTHENTICATION_REQUIRED', `the proxy ${proxy.origin} ${reason} (for ${target.origin})`, { serviceUrl: target.origin, proxy: proxy.origin });
}

/** The proxy could not be reached, or would not carry the request: the service is not reachable through it. */
export function proxyUnavailableError(proxy: ProxyServer, target: URL, what: string, cause?: unknown): RmsError {
  return new RmsError('SERVICE_UNAVAILABLE', `the proxy ${proxy.origin} ${what} (for ${target.origin})`, { serviceUrl: target.origin, proxy: proxy.origin, cause });
}

/** Errors of connecting, as against errors of a connection that was made. */
const CONNECT_ERRORS: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/** A connection to the proxy that failed: it could not be made, or the proxy closed it. */
export function proxyConnectionError(proxy: ProxyServer, target: URL, cause: Error): RmsError {
  const code = (cause as NodeJS.ErrnoException).code;
  const what = code !== undefined && CONNECT_ERRORS.has(code) ? `cannot be reached: ${code}` : `closed the connection: ${code ?? cause.message}`;
  return proxyUnavailableError(proxy, target, what, cause);
}

/** What a proxy answers for itself, in place of the service, when it refuses a request or cannot reach the service. */
const PROXY_FAILURES: ReadonlySet<number> = new Set([403, 500, 502, 503, 504]);

/**
 * The error a proxy's own answer stands for, when it answered in the service's place: 407 is
 * PROXY_AUTHENTICATION_REQUIRED, and so is 401 (tinyproxy answers wrong credentials with 401 and
 * a Basic WWW-Authenticate); a refusal or a service it could not reach (403, 5xx) is
 * SERVICE_UNAVAILABLE. Undefined for any other answer.
 */
export function proxyAnswerError(proxy: ProxyServer, target: URL, response: http.IncomingMessage, what: string): RmsError | undefined {
  const status = response.statusCode ?? 0;
  if (status === 407 || status === 401) return proxyAuthenticationError(proxy, target, response.headers[status === 407 ? 'proxy-authenticate' : 'www-authenticate']);
  if (PROXY_FAILURES.has(status)) return proxyUnavailableError(proxy, target, `${what}: ${status} ${response.statusMessage ?? ''}`.trimEnd());
  return undefined;
}

/**
 * Opens a CONNECT tunnel through `proxy` to `host:port`: the proxy's socket, once it answered 200.
 * Settles once; `timeoutMs` bounds the whole exchange with the proxy.
 */
function openTunnel(proxy: ProxyServer, target: URL, authority: string, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const authorization = proxy.proxyAuthorization();
    const request = http.request({
      host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: authority, agent: false,
      headers: { host: authority, ...(authorization === undefined ? {} : { 'proxy-authorization': authorization }) },
    });
    // A timer of our own, not the request's `timeout`: that one would stay on the socket the tunnel keeps.
    const timer = setTimeout(() => request.destroy(proxyUnavailableError(proxy, target, 'did not answer in time')), timeoutMs);
    request.once('connect', (response, socket, head) => {
      clearTimeout(timer);
      if (response.statusCode !== 200) {
        socket.destroy();
        const refusal = `refused a tunnel to ${authority}`;
        reject(proxyAnswerError(proxy, target, response, refusal) ?? proxyUnavailableError(proxy, target, `${refusal}: ${response.statusCode} ${response.statusMessage ?? ''}`.trimEnd()));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('error', (cause) => {
      clearTimeout(timer);
      reject(cause instanceof RmsError ? cause : proxyConnectionError(proxy, target, cause));
    });
    request.end();
  });
}

/**
 * Keeps tunnels alive and reuses them like any https.Agent (pooled per service host, port and
 * TLS options); each new connection is a CONNECT through the proxy, then TLS with the request's
 * own options (its `ca`, and SNI for a host name, as https.Agent sets `servername`).
 */
class TunnelAgent extends https.Agent {
  constructor(private readonly proxy: ProxyServer) {
    super({ keepAlive: true, maxSockets: 64 });
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    const port = Number(options.port ?? 443);
    const target = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
    openTunnel(this.proxy, target, target.host, options.timeout ?? 30_000).then((socket) => {
      callback!(null, tls.connect({ ...(options as tls.ConnectionOptions), host, port, socket }));
    }, (error: Error) => callback!(error, undefined as unknown as Duplex));
    // The socket comes later, through the callback (http.Agent waits for it).
    return undefined;
  }
}

/** One agent per proxy and its credentials, so tunnels are reused across requests (a process knows a handful of proxies). */
const tunnelAgents = new Map<string, TunnelAgent>();

/** The agent that tunnels https requests through `proxy`. */
function tunnelAgentFor(proxy: ProxyServer): https.Agent {
  // Proxies are told apart by where they are and what they are sent: two equal settings share tunnels.
  const key = `${proxy.origin}\n${proxy.proxyAuthorization() ?? ''}`;
  let agent = tunnelAgents.get(key);
  if (agent === undefined) {
    agent = new TunnelAgent(proxy);
    tunnelAgents.set(key, agent);
  }
  return agent;
}

/**
 * How a request to `url` goes through `proxy`: an https service through a tunnel of the proxy's
 * tunnel agent; an http service as an absolute-form request to the proxy (the whole URL as the
 * path, the service as Host, the proxy's credentials) on a connection of its own, closed after
 * the answer: proxies close kept-alive connections without saying so (tinyproxy answers
 * HTTP/1.1 with no `Connection: close`, then closes), and a request sent on such a connection is
 * lost. Plain http services are loopback and intranet ones, where a connection costs little.
 */
export function proxyRoute(proxy: ProxyServer, url: URL): { options: http.RequestOptions; headers: Record<string, string> } {
  if (url.protocol === 'https:') return { options: { agent: tunnelAgentFor(proxy) }, headers: {} };
  const authorization = proxy.proxyAuthorization();
  return {
    // `hostname`, not `host`: it wins over the service's, which the request URL also gives.
    options: { agent: false, hostname: proxy.hostname, port: proxy.port, path: `${url.origin}${url.pathname}${url.search}` },
    headers: { host: url.host, ...(authorization === undefined ? {} : { 'proxy-authorization': authorization }) },
  };
}
