/**
 * Requests through a real proxy (tinyproxy, test/support/tinyproxy.ts; docs/discovery.md,
 * "Proxies"): the real licensing service over HTTP (absolute-form requests) and over HTTPS with
 * a test CA (a CONNECT tunnel, TLS to the service inside it), with and without Basic
 * authentication, NO_PROXY going around the proxy, a proxy that refuses or cannot be reached,
 * and a proxy password that reaches neither the trace nor an error.
 *
 * The proxy connects to services from 127.0.0.2, the client from 127.0.0.1: every connection
 * the service accepts says which way the client came.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';

import { passwordTokenProvider, Proxies, RmsClient, RmsClientOptions, RmsError } from '../../lib';
import { requestJson } from '../../lib/transport/http-json';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';
import { makeTestCa, TestCa } from '../support/test-ca';
import { PROXY_SOURCE_ADDRESS, RunningProxy, startTinyproxy } from '../support/tinyproxy';

const ALICE = 'alice@contoso.com';
const PROXY_USER = 'proxy-user';
const PROXY_PASSWORD = 'Pr0xy-pass.word_7';
const withCredentials = (proxy: RunningProxy, password = PROXY_PASSWORD) =>
  proxy.url.replace('://', `://${PROXY_USER}:${encodeURIComponent(password)}@`);

let root: string;
let plain: TestService;
let secure: TestService;
let testCa: TestCa;
let ca: Buffer;
let open: RunningProxy;
let guarded: RunningProxy;
const savedEnv = { ...process.env };

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-proxy-'));
  testCa = makeTestCa(path.join(root, 'ca'), 'proxy');
  ca = readFileSync(testCa.caFile);
  plain = await startTestService({}, path.join(root, 'plain'));
  secure = await startTestService({ tls: { certFile: testCa.certFile, keyFile: testCa.keyFile } }, path.join(root, 'secure'));
  for (const service of [plain, secure]) await service.addUser(ALICE);
  open = await startTinyproxy();
  guarded = await startTinyproxy({ basicAuth: { user: PROXY_USER, password: PROXY_PASSWORD } });
}, 60_000);

afterEach(() => {
  process.env = { ...savedEnv };
});

afterAll(async () => {
  await open?.stop();
  await guarded?.stop();
  await plain?.cleanup();
  await secure?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

let stores = 0;
function store(): string {
  return path.join(root, 'stores', `s${++stores}`);
}

/** The source address of every connection `service` accepts while `run` runs. */
async function connectionsTo<T>(service: TestService, run: () => Promise<T>): Promise<{ result: T; from: string[] }> {
  const port = Number(new URL(service.service.url).port);
  const from: string[] = [];
  const accepted = ({ socket }: { socket: net.Socket }) => {
    if (socket.localPort === port) from.push(socket.remoteAddress ?? '?');
  };
  subscribe('net.server.socket', accepted as (message: unknown) => void);
  try {
    return { result: await run(), from };
  } finally {
    unsubscribe('net.server.socket', accepted as (message: unknown) => void);
  }
}

/** Signs alice in at `service`, protects a buffer for her and opens it again online: every kind of request a client makes. */
async function roundTrip(service: TestService, options: RmsClientOptions = {}): Promise<void> {
  // The built-in provider reaches the token endpoint over the client's connection (its CA and proxy).
  const alice = await RmsClient.signIn({ store: store(), serviceUrl: service.service.url, ca, ...options, tokenProvider: passwordTokenProvider(ALICE, passwordOf(ALICE)) });
  try {
    const protectedBytes = await alice.protectBuffer(Buffer.from('through the proxy'), alice.createLicense({ grants: [{ who: ALICE, rights: ['VIEW'] }] }));
    const opened = await alice.unprotectBuffer(protectedBytes);
    expect(opened.plaintext.toString()).toBe('through the proxy');
    opened.license.close();
  } finally {
    alice.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<RmsError> {
  const outcome = await promise.then(() => undefined, (error: unknown) => error);
  if (!(outcome instanceof RmsError)) throw new Error(`expected an RmsError, got ${inspect(outcome)}`);
  return outcome;
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('an http service through a real proxy', () => {
  it('sends every request of a sign-in, publishing and consuming to the proxy as an absolute-form request', async () => {
    const before = open.requests().length;
    const { from } = await connectionsTo(plain, () => roundTrip(plain, { settings: { proxyServer: open.url } }));
    expect(from.length).toBeGreaterThan(0);
    expect(new Set(from)).toEqual(new Set([PROXY_SOURCE_ADDRESS]));
    const carried = open.requests().slice(before);
    expect(carried.length).toBeGreaterThan(0);
    for (const line of carried) expect(line).toMatch(new RegExp(`^(GET|POST) ${plain.service.url}/_wmcs/\\S+ HTTP/1\\.1$`));
  });
});

describe('an https service through a real proxy', () => {
  it('tunnels with CONNECT to the service, TLS checked against its CA, with the credentials of HTTPS_PROXY', async () => {
    process.env.HTTPS_PROXY = withCredentials(guarded);
    const before = guarded.requests().length;
    const { from } = await connectionsTo(secure, () => roundTrip(secure));
    expect(from.length).toBeGreaterThan(0);
    expect(new Set(from)).toEqual(new Set([PROXY_SOURCE_ADDRESS]));
    const carried = guarded.requests().slice(before);
    expect(carried.length).toBeGreaterThan(0);
    expect(new Set(carried)).toEqual(new Set([`CONNECT ${new URL(secure.service.url).host} HTTP/1.1`]));
  });

  it('checks the service\'s certificate inside the tunnel: without its CA the call fails', async () => {
    const refusal = await failure(requestJson('GET', new URL(`${secure.service.url}/_wmcs/nothing`), undefined, {}, { proxy: Proxies.of({ https: open.url }) }));
    expect(refusal).toMatchObject({ code: 'SERVICE_UNAVAILABLE', serviceUrl: secure.service.url, proxy: open.url });
    const answer = await requestJson('GET', new URL(`${secure.service.url}/_wmcs/nothing`), undefined, {}, { ca, proxy: Proxies.of({ https: open.url }) });
    expect(answer.status).toBe(404);
  });

  it('names the service in TLS (SNI) inside the tunnel', async () => {
    const names: string[] = [];
    const server = https.createServer({ cert: readFileSync(testCa.certFile), key: readFileSync(testCa.keyFile) }, (req, res) => res.end('{"ok":true}'));
    server.on('secureConnection', (socket) => names.push(String(socket.servername)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const answer = await requestJson('GET', new URL(`https://localhost:${port}/`), undefined, {}, { ca, proxy: Proxies.of({ https: open.url }) });
      expect(answer.body).toEqual({ ok: true });
      expect(names).toEqual(['localhost']);
      expect(open.requests()).toContain(`CONNECT localhost:${port} HTTP/1.1`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a proxy that asks for Basic authentication', () => {
  const target = (service: TestService) => new URL(`${service.service.url}/_wmcs/nothing`);

  it('without credentials is PROXY_AUTHENTICATION_REQUIRED naming the proxy, for a tunnel and for an absolute-form request', async () => {
    const proxy = Proxies.of({ https: guarded.url, http: guarded.url });
    for (const service of [secure, plain]) {
      const refusal = await failure(requestJson('GET', target(service), undefined, {}, { ca, proxy }));
      expect(refusal).toMatchObject({ code: 'PROXY_AUTHENTICATION_REQUIRED', proxy: guarded.url, serviceUrl: service.service.url });
      expect(refusal.message).toContain(`the proxy ${guarded.url} asks for credentials`);
    }
  });

  it('with the wrong credentials is PROXY_AUTHENTICATION_REQUIRED, and the password is in no part of the error', async () => {
    const wrong = 'not-the-Pr0xy-password';
    const proxy = Proxies.of({ https: withCredentials(guarded, wrong), http: withCredentials(guarded, wrong) });
    for (const service of [secure, plain]) {
      const refusal = await failure(requestJson('GET', target(service), undefined, {}, { ca, proxy }));
      expect(refusal).toMatchObject({ code: 'PROXY_AUTHENTICATION_REQUIRED', proxy: guarded.url });
      expect(refusal.message).toContain('refused the credentials');
      expect(`${inspect(refusal, { depth: 10, showHidden: true })}${JSON.stringify(refusal)}`).not.toContain(encodeURIComponent(wrong));
    }
  });
});

describe('NO_PROXY', () => {
  it('sends a listed service around the proxy (the proxy sees nothing, the service sees the client), and the others through it', async () => {
    const bypassed = new URL(secure.service.url).host;
    Object.assign(process.env, { HTTPS_PROXY: open.url, HTTP_PROXY: open.url, NO_PROXY: `example.org, ${bypassed}` });
    const before = open.requests().length;
    const { from } = await connectionsTo(secure, () => roundTrip(secure));
    expect(from.length).toBeGreaterThan(0);
    expect(new Set(from)).toEqual(new Set(['127.0.0.1']));
    expect(open.requests().slice(before)).toEqual([]);
    // The same host on another port is not the entry: through the proxy.
    const other = await connectionsTo(plain, () => requestJson('GET', new URL(`${plain.service.url}/_wmcs/nothing`), undefined, {}));
    expect(other.from).toEqual([PROXY_SOURCE_ADDRESS]);
    expect(open.requests().slice(before)).toEqual([`GET ${plain.service.url}/_wmcs/nothing HTTP/1.1`]);
  });
});

describe('a proxy that refuses or cannot be reached', () => {
  it('a refused tunnel is SERVICE_UNAVAILABLE naming the proxy and its answer', async () => {
    const strict = await startTinyproxy({ connectPorts: [443] });
    try {
      const refusal = await failure(requestJson('GET', new URL(`${secure.service.url}/_wmcs/nothing`), undefined, {}, { ca, proxy: Proxies.of({ https: strict.url }) }));
      expect(refusal).toMatchObject({ code: 'SERVICE_UNAVAILABLE', proxy: strict.url, serviceUrl: secure.service.url });
      expect(refusal.message).toMatch(new RegExp(`^the proxy ${strict.url} refused a tunnel to ${new URL(secure.service.url).host}: 403`));
    } finally {
      await strict.stop();
    }
  });

  it('a proxy that cannot reach an http service answers for it: SERVICE_UNAVAILABLE naming the proxy', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const refusal = await failure(requestJson('GET', new URL(`${down}/_wmcs/nothing`), undefined, {}, { proxy: Proxies.of({ http: open.url }) }));
    expect(refusal).toMatchObject({ code: 'SERVICE_UNAVAILABLE', proxy: open.url, serviceUrl: down });
    expect(refusal.message).toMatch(new RegExp(`^the proxy ${open.url} answered in place of the service: 500 Unable to connect`));
  });

  it('a proxy nobody listens at is SERVICE_UNAVAILABLE naming the proxy, not the service', async () => {
    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    for (const service of [secure, plain]) {
      const refusal = await failure(requestJson('GET', new URL(`${service.service.url}/_wmcs/nothing`), undefined, {}, { ca, proxy: Proxies.of({ https: nowhere, http: nowhere }) }));
      expect(refusal).toMatchObject({ code: 'SERVICE_UNAVAILABLE', proxy: nowhere, serviceUrl: service.service.url });
      expect(refusal.message).toBe(`the proxy ${nowhere} cannot be reached: ECONNREFUSED (for ${service.service.url})`);
    }
  });
});

describe('the proxy password', () => {
  it('reaches neither the client\'s trace (file and channel) nor an error', async () => {
    const events: unknown[] = [];
    const listener = (event: unknown) => events.push(event);
    subscribe('openrms:trace', listener);
    const traced = store();
    const secrets = [PROXY_PASSWORD, encodeURIComponent(PROXY_PASSWORD), Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')];
    try {
      const alice = await RmsClient.signIn({
        store: traced, serviceUrl: secure.service.url, ca, settings: { trace: true, proxyServer: withCredentials(guarded) },
        tokenProvider: passwordTokenProvider(ALICE, passwordOf(ALICE)),
      });
      const protectedBytes = await alice.protectBuffer(Buffer.from('x'), alice.createLicense({ grants: [{ who: ALICE, rights: ['VIEW'] }] }));
      alice.close();
      // The same store, later, with a wrong proxy password: the tunnel for the use license request is refused.
      // (Over https: a proxy that refuses a plain-http POST may reset the connection before its answer is read.)
      const wrong = RmsClient.open({ store: traced, ca, settings: { trace: true, proxyServer: withCredentials(guarded, `${PROXY_PASSWORD}-old`) } });
      const refusal = await failure(wrong.unprotectBuffer(protectedBytes));
      wrong.close();
      expect(refusal).toMatchObject({ code: 'PROXY_AUTHENTICATION_REQUIRED', proxy: guarded.url });
      const shown = [
        readFileSync(path.join(traced, 'logs', 'trace.log'), 'utf8'), JSON.stringify(events),
        refusal.message, String(refusal.stack), JSON.stringify(refusal), inspect(refusal, { depth: 10, showHidden: true }),
      ].join('\n');
      expect(events.length).toBeGreaterThan(0);
      for (const secret of [...secrets, encodeURIComponent(`${PROXY_PASSWORD}-old`)]) expect(shown).not.toContain(secret);
    } finally {
      unsubscribe('openrms:trace', listener);
    }
  });
});
