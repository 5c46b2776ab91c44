/**
 * JSON over HTTP(S) to a licensing service, with node:http and keep-alive connections. A
 * connection failure or timeout is SERVICE_UNAVAILABLE; an answer that is not the protocol's is
 * SERVICE_ERROR; the service's own errors come back as RmsErrors with the code it sent.
 */
import http from 'node:http';
import https from 'node:https';

import { RMS_ERROR_CODES, RmsError, RmsErrorCode } from '../errors';
import { Proxies, ProxyPolicy, ProxyServer } from './proxy-config';
import { proxyAnswerError, proxyAuthenticationError, proxyConnectionError, proxyRoute } from './proxy-tunnel';
import { requireTrusted, TrustPolicy } from './trust-policy';

const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface HttpOptions {
  /** Extra trusted CA certificates (PEM) for HTTPS services. */
  ca?: string | Buffer;
  /** Per-request deadline (default 30 s). */
  timeoutMs?: number;
  /**
   * The proxy of each request (docs/discovery.md, "Proxies"). Default: `Proxies.fromEnvironment()`,
   * the HTTPS_PROXY, HTTP_PROXY and NO_PROXY variables; `Proxies.DIRECT` for none. A client
   * passes the proxies of its settings.
   */
  proxy?: ProxyPolicy;
}

export interface JsonResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** What a request is made with: the transport's options, and the trust asked first. */
export interface RequestOptions extends HttpOptions {
  /** The administrator's trusted servers (DESIGN decision 13): a server it refuses gets no connection. */
  trust?: TrustPolicy;
}

export function requestJson(method: string, url: URL, body: unknown, headers: Record<string, string>, options: RequestOptions = {}): Promise<JsonResponse> {
  // Trust before any connection: a refused server is named in SERVICE_NOT_TRUSTED and never sees a socket.
  try {
    requireTrusted(options.trust, url);
  } catch (refusal) {
    return Promise.reject(refusal);
  }
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.reject(new RmsError('INVALID_ARGUMENT', `${url.href} is not an http(s) URL`, { argument: 'url' }));
  const transport = secure ? https : http;
  let proxy: ProxyServer | undefined;
  try {
    proxy = (options.proxy ?? Proxies.fromEnvironment()).proxyFor(url);
  } catch (error) {
    return Promise.reject(error);
  }
  const route = proxy === undefined
    ? { options: { agent: options.ca === undefined ? (secure ? agents.https : agents.http) : undefined }, headers: {} }
    : proxyRoute(proxy, url);
  // An http service's answer comes from the proxy, which may answer in its place.
  const answeringProxy = secure ? undefined : proxy;
  const through = proxy === undefined ? '' : ` (through the proxy ${proxy.origin})`;
  return new Promise((resolve, reject) => {
    const send = (retried: boolean): void => {
      const req = transport.request(url, {
        method,
        ...route.options,
        ...(secure && options.ca !== undefined ? { ca: options.ca } : {}),
        headers: {
          accept: 'application/json', ...headers, ...route.headers,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(payload.length) }),
        },
        timeout: options.timeoutMs ?? 30_000,
      }, (res) => {
        if (answeringProxy !== undefined && res.statusCode === 407) {
          res.resume();
          reject(proxyAuthenticationError(answeringProxy, url, res.headers['proxy-authenticate']));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new RmsError('SERVICE_ERROR', `${url.origin} sent an answer over ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch (cause) {
            // A proxy's own error page (it refused the request, or could not reach the service) is not the service's answer.
            reject((answeringProxy === undefined ? undefined : proxyAnswerError(answeringProxy, url, res, 'answered in place of the service'))
              ?? new RmsError('SERVICE_ERROR', `${url.origin} answered ${res.statusCode} with something that is not JSON${through}`, { cause }));
            return;
          }
          if (typeof parsed !== 'object' || parsed === null) {
            reject(new RmsError('SERVICE_ERROR', `${url.origin} answered ${res.statusCode} with something that is not a JSON object`));
            return;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as Record<string, unknown> });
        });
      });
      req.on('timeout', () => req.destroy(new RmsError('SERVICE_UNAVAILABLE', `${url.origin} did not answer in time${through}`, { serviceUrl: url.origin, proxy: proxy?.origin })));
      req.on('error', (cause) => {
        // A kept-alive connection the service closed while idle (a restart) fails the first request
        // sent on it before the service read it: sent again, once, on a new connection (Node's
        // advice). For a POST that the service did read, a second one is harmless here: a use
        // license or certificate issued twice, a publication refused as CONFLICT.
        if (!retried && req.reusedSocket && (cause as NodeJS.ErrnoException).code === 'ECONNRESET') {
          send(true);
          return;
        }
        // Connecting to an http service through a proxy is connecting to the proxy: its failure is the proxy's.
        reject(cause instanceof RmsError ? cause : answeringProxy !== undefined ? proxyConnectionError(answeringProxy, url, cause)
          : new RmsError('SERVICE_UNAVAILABLE', `cannot reach ${url.origin}: ${(cause as NodeJS.ErrnoException).code ?? cause.message}${through}`,
            { cause, serviceUrl: url.origin, proxy: proxy?.origin }));
      });
      req.end(payload);
    };
    send(false);
  });
}

/** The RmsError a service's error answer stands for. */
export function serviceError(response: JsonResponse, url: URL): RmsError {
  const error = response.body.error as { code?: unknown; message?: unknown } | undefined;
  const code = error?.code;
  const message = typeof error?.message === 'string' ? error.message : `${url.origin} answered ${response.status}`;
  const serviceUrl = url.origin;
  if (typeof code === 'string' && (RMS_ERROR_CODES as readonly string[]).includes(code)) return new RmsError(code as RmsErrorCode, message, { serviceUrl });
  return new RmsError('SERVICE_ERROR', `${url.pathname}: ${message}`, { serviceUrl });
}
