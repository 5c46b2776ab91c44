/**
 * Which HTTP proxy a request to a service goes through: a proxy for `https://` services, one for
 * `http://` services, and the hosts reached directly (NO_PROXY). The environment variables are
 * read as curl reads them; the client's `ProxyServer` / `ProxyBypass` settings
 * (lib/settings) give the same things from code, OPENRMS_* variables or the registry.
 *
 * A proxy URL may carry Basic credentials (`http://user:password@proxy:3128`). They live only
 * in a `ProxyServer`'s private field and in the Proxy-Authorization header built from it: every
 * printable form of a proxy (its `origin`, `toJSON`, `util.inspect`) leaves them out, and no
 * error here quotes a proxy URL, so a password cannot reach a message, a trace or a log.
 */
import net from 'node:net';
import { inspect } from 'node:util';

import { invalidArgument, RmsError } from '../errors';
import { InvalidSettingError } from '../settings/settings-errors';

/** What reading a proxy URL or a NO_PROXY list gave; a reason never quotes the text (it may hold a password). */
export type ProxyParsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** An HTTP proxy: where it listens, and the Basic credentials it is sent when the URL has some. */
export class ProxyServer {
  /** `http://host:port`, never with credentials: the only form of a proxy that messages show. */
  readonly origin: string;
  /** The host to connect to (an IPv6 address without its brackets). */
  readonly hostname: string;
  readonly port: number;
  /** The user name of the credentials, when there are some (not a secret: `openrms config` shows it). */
  readonly username: string | undefined;
  readonly #authorization: string | undefined;

  /** Use `parseProxyUrl`. */
  constructor(url: URL, username: string | undefined, password: string | undefined) {
    this.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port === '' ? 80 : Number(url.port);
    this.origin = `http://${url.hostname}:${this.port}`;
    this.username = username;
    // RFC 7617: user-id ":" password, UTF-8, base64; sent on every request (preemptively, as
    // curl, Go and Python do with credentials in the proxy URL), so no request is refused first.
    this.#authorization = username === undefined ? undefined : `Basic ${Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')}`;
    Object.freeze(this);
  }

  /** Whether the proxy is sent credentials. */
  get hasCredentials(): boolean {
    return this.#authorization !== undefined;
  }

  /** The Proxy-Authorization header, for the transport alone. */
  proxyAuthorization(): string | undefined {
    return this.#authorization;
  }

  /** The URL as `openrms config` shows it: the password replaced by `***`. */
  describe(): string {
    return this.username === undefined ? this.origin : this.origin.replace('://', `://${encodeURIComponent(this.username)}:***@`);
  }

  toJSON(): string {
    return this.origin;
  }

  [inspect.custom](): string {
    return `ProxyServer <${this.origin}>`;
  }
}

/**
 * Reads a proxy URL: `http://[user[:password]@]host[:port]`, or `host[:port]` (taken as
 * `http://`, as curl does). The port defaults to 80. User name and password are
 * percent-decoded. Only plain `http://` proxies are supported (the tunnel to an https service
 * is TLS end to end through them).
 */
export function parseProxyUrl(text: string): ProxyParsed<ProxyServer> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'is empty' };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http') {
    return { ok: false, reason: `is a ${scheme}:// proxy; openrms uses plain http:// proxies (CONNECT carries TLS to https services)` };
  }
  let url: URL;
  try {
    url = new URL(scheme === undefined ? `http://${trimmed}` : trimmed);
  } catch {
    return { ok: false, reason: 'is not a proxy URL (http://[user:password@]host[:port])' };
  }
  if (url.hostname === '') return { ok: false, reason: 'names no proxy host' };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return { ok: false, reason: 'has a path or query; a proxy URL is http://[user:password@]host[:port]' };
  }
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = url.username === '' ? undefined : decodeURIComponent(url.username);
    password = url.password === '' ? undefined : decodeURIComponent(url.password);
  } catch {
    return { ok: false, reason: 'has credentials that are not percent-encoded correctly' };
  }
  if (username === undefined && password !== undefined) return { ok: false, reason: 'has a password without a user name' };
  return { ok: true, value: new ProxyServer(url, username, password) };
}

/** The URL with its password replaced by `***`, for showing a setting's text (never the text itself, which may hold a password). */
export function describeProxyUrl(text: string): string {
  const parsed = parseProxyUrl(text);
  return parsed.ok ? parsed.value.describe() : '(not a proxy URL)';
}

interface BypassRule {
  /** A host name: matches itself and every name below it. */
  name?: string;
  /** An address or an address block (CIDR). */
  addresses?: net.BlockList;
  /** Only this port, when the entry named one. */
  port?: number;
}

/**
 * The hosts reached without the proxy, in NO_PROXY syntax: entries separated by commas (spaces
 * around them ignored), each
 *   `*`                              every host
 *   `example.com`, `.example.com`,   that name and every name below it (a leading `.` or `*.`
 *   `*.example.com`                  changes nothing; names compare without regard to case)
 *   `192.0.2.7`, `::1`, `[::1]`      that address, when the URL names the host by it
 *   `10.0.0.0/8`, `fd00::/8`         the addresses in the block
 *   any of these `:port`             only on that port (`[::1]:8443` for an IPv6 address)
 * A name is not resolved to match an address, nor an address to match a name.
 */
export class NoProxyList {
  private constructor(private readonly all: boolean, private readonly rules: readonly BypassRule[]) {
    Object.freeze(this);
  }

  static parse(text: string): ProxyParsed<NoProxyList> {
    const rules: BypassRule[] = [];
    let all = false;
    for (const raw of text.split(',')) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      if (entry === '*') {
        all = true;
        continue;
      }
      const rule = bypassRule(entry);
      if (rule === undefined) return { ok: false, reason: `entry ${JSON.stringify(raw.trim())} is not a host name, address, address block or * (with an optional :port)` };
      rules.push(rule);
    }
    return { ok: true, value: new NoProxyList(all, Object.freeze(rules)) };
  }

  /** Whether a request to `url` goes direct. */
  bypasses(url: URL): boolean {
    if (this.all) return true;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const family = net.isIP(host);
    return this.rules.some((rule) => {
      if (rule.port !== undefined && rule.port !== port) return false;
      if (rule.addresses !== undefined) return family !== 0 && rule.addresses.check(host, family === 4 ? 'ipv4' : 'ipv6');
      return family === 0 && (host === rule.name || host.endsWith(`.${rule.name}`));
    });
  }
}

const HOST_LABELS = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;

function bypassRule(entry: string): BypassRule | undefined {
  let host = entry;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  const hostPort = /^([^:]+):(\d{1,5})$/.exec(entry);
  if (bracketed !== null) {
    host = bracketed[1]!;
    if (!net.isIPv6(host)) return undefined;
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else if (hostPort !== null) {
    host = hostPort[1]!;
    port = Number(hostPort[2]);
  }
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const withPort = (rule: BypassRule): BypassRule => (port === undefined ? rule : { ...rule, port });
  // Addresses and blocks go in a BlockList, which compares addresses, not spellings (`::1` is `0:0::1`).
  const addresses = new net.BlockList();
  const cidr = /^(.+)\/(\d{1,3})$/.exec(host);
  if (cidr !== null) {
    const family = net.isIP(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (family === 0 || prefix > (family === 4 ? 32 : 128)) return undefined;
    addresses.addSubnet(cidr[1]!, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return withPort({ addresses });
  }
  const family = net.isIP(host);
  if (family !== 0) {
    addresses.addAddress(host, family === 4 ? 'ipv4' : 'ipv6');
    return withPort({ addresses });
  }
  const name = host.replace(/^\*?\./, '').replace(/\.$/, '');
  return HOST_LABELS.test(name) ? withPort({ name }) : undefined;
}

/** Chooses the proxy of a request: undefined to connect directly. */
export interface ProxyPolicy {
  proxyFor(url: URL): ProxyServer | undefined;
}

/** The proxies of a process, from code or settings: one per scheme, and the hosts reached directly. */
export interface ProxyChoice {
  /** The proxy for `https://` services (reached through it with CONNECT). */
  https?: ProxyServer;
  /** The proxy for `http://` services (sent absolute-form requests). */
  http?: ProxyServer;
  /** The hosts reached directly. */
  noProxy?: NoProxyList;
}

export class Proxies implements ProxyPolicy {
  /** Every request goes directly, whatever the environment says. */
  static readonly DIRECT: Proxies = new Proxies({});

  private readonly choice: Readonly<ProxyChoice>;

  constructor(choice: ProxyChoice) {
    this.choice = Object.freeze({ ...choice });
    Object.freeze(this);
  }

  /**
   * Proxies given as text, e.g. `Proxies.of({ https: 'http://user:pw@proxy:3128', noProxy: '.corp.example' })`;
   * a bad one is INVALID_ARGUMENT naming it (and never quoting it).
   */
  static of(texts: { https?: string; http?: string; noProxy?: string }): Proxies {
    if (typeof texts !== 'object' || texts === null) throw invalidArgument('proxies', 'an object of proxy URLs');
    const server = (name: 'https' | 'http'): ProxyServer | undefined => {
      const text = texts[name];
      if (text === undefined) return undefined;
      const parsed = typeof text === 'string' ? parseProxyUrl(text) : { ok: false as const, reason: 'is not a string' };
      if (!parsed.ok) throw new RmsError('INVALID_ARGUMENT', `proxies.${name} ${parsed.reason}`, { argument: `proxies.${name}` });
      return parsed.value;
    };
    let noProxy: NoProxyList | undefined;
    if (texts.noProxy !== undefined) {
      const parsed = typeof texts.noProxy === 'string' ? NoProxyList.parse(texts.noProxy) : { ok: false as const, reason: 'is not a string' };
      if (!parsed.ok) throw new RmsError('INVALID_ARGUMENT', `proxies.noProxy: ${parsed.reason}`, { argument: 'proxies.noProxy' });
      noProxy = parsed.value;
    }
    return new Proxies({ https: server('https'), http: server('http'), noProxy });
  }

  /**
   * The proxies the environment names, as curl reads them: `https_proxy` / `HTTPS_PROXY` for
   * https services, `http_proxy` / `HTTP_PROXY` for http services, `no_proxy` / `NO_PROXY` for
   * the hosts reached directly; the lower-case name wins, an empty variable is unset.
   * `HTTP_PROXY` in upper case is not read when `REQUEST_METHOD` is set: in a CGI program any
   * client can set it with a `Proxy:` request header ("httpoxy"), as curl and Go know.
   * A variable that cannot be read is INVALID_SETTING naming it (never quoting it).
   */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): Proxies {
    return new Proxies({ https: environmentProxy(env, 'https'), http: environmentProxy(env, 'http'), noProxy: environmentNoProxy(env) });
  }

  get https(): ProxyServer | undefined {
    return this.choice.https;
  }

  get http(): ProxyServer | undefined {
    return this.choice.http;
  }

  get noProxy(): NoProxyList | undefined {
    return this.choice.noProxy;
  }

  proxyFor(url: URL): ProxyServer | undefined {
    const proxy = url.protocol === 'https:' ? this.choice.https : url.protocol === 'http:' ? this.choice.http : undefined;
    if (proxy === undefined || this.choice.noProxy?.bypasses(url) === true) return undefined;
    return proxy;
  }
}

/** The variables `Proxies.fromEnvironment` reads. */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY', 'REQUEST_METHOD'] as const;

/** The proxy variables of `env` as they are now (settings are read once, and process.env changes). */
export function proxyVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.freeze(Object.fromEntries(PROXY_VARIABLES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]])));
}

/** The first of the variables `names` that is set (not empty), and its name. */
function firstVariable(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; text: string } | undefined {
  for (const name of names) {
    const text = env[name];
    if (text !== undefined && text !== '') return { name, text };
  }
  return undefined;
}

/** The proxy the environment names for `scheme` services, if any. */
export function environmentProxy(env: NodeJS.ProcessEnv, scheme: 'https' | 'http'): ProxyServer | undefined {
  const names = scheme === 'https' ? ['https_proxy', 'HTTPS_PROXY'] : env.REQUEST_METHOD === undefined ? ['http_proxy', 'HTTP_PROXY'] : ['http_proxy'];
  const variable = firstVariable(env, names);
  if (variable === undefined) return undefined;
  const parsed = parseProxyUrl(variable.text);
  if (!parsed.ok) throw new InvalidSettingError(variable.name, parsed.reason, { variable: variable.name });
  return parsed.value;
}

/** The hosts the environment says to reach directly, if it says. */
export function environmentNoProxy(env: NodeJS.ProcessEnv): NoProxyList | undefined {
  const variable = firstVariable(env, ['no_proxy', 'NO_PROXY']);
  if (variable === undefined) return undefined;
  const parsed = NoProxyList.parse(variable.text);
  if (!parsed.ok) throw new InvalidSettingError(variable.name, parsed.reason, { variable: variable.name });
  return parsed.value;
}
