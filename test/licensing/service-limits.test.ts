/**
 * The service's limits against clients that hold its memory or its connections (issue 9, point
 * 5; docs/protocol.md, "Limits"), against `openrms serve` in a process of its own, the way it
 * runs, whose memory is read from /proc. Clients speak raw HTTP/1.1 over TCP where the test is
 * about what a well-behaved client never does: stall, lie about a length, never finish a body.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { passwordTokenProvider, RmsClient } from '../../lib';
import { requireBuilt, ROOT } from '../support/built-package';

const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const MiB = 1024 * 1024;
/** What the service may grow by while 150 clients each try to make it hold 4 MiB (600 MiB in all). */
const RSS_GROWTH_BOUND = 64 * MiB;
const ATTACKERS = 150;
const ATTACK_BODY = 4 * MiB;

let root: string;

interface Serve {
  child: ChildProcess;
  url: string;
  port: number;
  data: string;
}

const running: Serve[] = [];

function openrms(args: string[], input = ''): string {
  const result = spawnSync(process.execPath, [MAIN, ...args], { cwd: root, encoding: 'utf8', input, timeout: 60_000 });
  if (result.status !== 0) throw new Error(`openrms ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const passwordOf = (email: string): string => `pw-${email.split('@')[0]}-secret`;

/** `openrms serve` on a free loopback port, with `users` added to its data folder first. */
async function startServe(name: string, limits: string[] = [], users: string[] = []): Promise<Serve> {
  const data = path.join(root, name);
  for (const email of users) openrms(['users', 'add', email, '--password-stdin', '--data', data], `${passwordOf(email)}\n`);
  const args = [MAIN, 'serve', '--data', data, '--listen', '127.0.0.1:0', '--json', ...limits.flatMap((l) => ['--limit', l])];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const started = await Promise.race([
    once(child.stdout!, 'data').then(([line]) => JSON.parse((line as Buffer).toString().split('\n')[0]!) as { url: string }),
    once(child, 'exit').then(() => { throw new Error(`openrms serve ${limits.join(' ')} exited: ${stderr}`); }),
  ]);
  const serve = { child, url: started.url, port: Number(new URL(started.url).port), data };
  running.push(serve);
  return serve;
}

/** The service process's resident memory, from /proc/<pid>/status. */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** A raw connection: `closed` resolves, with all it received, once the connection is gone. */
interface Raw {
  socket: net.Socket;
  closed: Promise<string>;
}

/** A raw connection to the service, from `from` (another loopback address is another client). */
function connect(port: number, from = '127.0.0.1'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
    let received = '';
    socket.on('data', (d: Buffer) => { received += d.toString('latin1'); });
    // The server closes connections whose body it will not read, and drops those over its cap:
    // writes still in flight fail, or the close is a reset. Either way the connection is gone.
    socket.on('error', () => {});
    const closed = new Promise<string>((done) => socket.once('close', () => done(received)));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

function head(method: string, target: string, headers: Record<string, string | number> = {}): string {
  const lines = Object.entries({ host: '127.0.0.1', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `${method} ${target} HTTP/1.1\r\n${lines}\r\n`;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The first HTTP answer in what a raw connection received. */
function parseAnswer(received: string): Answer {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no HTTP answer in ${JSON.stringify(received.slice(0, 200))}`);
  const [statusLine, ...lines] = received.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine!.split(' ')[1]), headers, body: received.slice(end + 4) };
}

function errorCode(answer: Answer): string {
  return (JSON.parse(answer.body) as { error: { code: string } }).error.code;
}

async function accessToken(serve: Serve, email: string): Promise<string> {
  const response = await fetch(`${serve.url}/_wmcs/oauth2/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', username: email, password: passwordOf(email) }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

beforeAll(() => {
  requireBuilt();
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-limits-'));
});

afterAll(async () => {
  for (const serve of running) {
    if (serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await once(serve.child, 'exit');
    }
  }
  rmSync(root, { recursive: true, force: true });
});

describe('openrms serve --limit', () => {
  it('refuses a limit it does not know, one that is not a positive integer, and timeouts that contradict each other', () => {
    const serveWith = (...limits: string[]): string => {
      const result = spawnSync(process.execPath, [MAIN, 'serve', '--data', path.join(root, 'refused'), '--listen', '127.0.0.1:0', ...limits.flatMap((l) => ['--limit', l])],
        { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(result.status).not.toBe(0);
      return result.stderr;
    };
    expect(serveWith('maxConnection=10')).toMatch(/^error: INVALID_ARGUMENT: --limit must be NAME=INTEGER with NAME one of bodyBudgetBytes, bodyBudgetPerClientBytes, maxConnections, /);
    expect(serveWith('idleTimeoutMs=2147483648')).toMatch(/^error: INVALID_ARGUMENT: limits\.idleTimeoutMs must be at most 2147483647 ms/);
    expect(serveWith('maxConnections=0')).toMatch(/^error: INVALID_ARGUMENT: limits\.maxConnections must be a positive integer/);
    expect(serveWith('headersTimeoutMs=5000', 'requestTimeoutMs=1000')).toMatch(/^error: INVALID_ARGUMENT: limits\.headersTimeoutMs must be at most limits\.requestTimeoutMs/);
  });
});

describe('a service with its default limits', () => {
  let serve: Serve;
  const clients: RmsClient[] = [];
  const signIn = async (email: string): Promise<RmsClient> => {
    const client = await RmsClient.signIn({
      store: path.join(root, 'stores', email), serviceUrl: serve.url, tokenProvider: passwordTokenProvider(email, passwordOf(email)),
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    serve = await startServe('defaults', [], ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com']);
  }, 60_000);

  afterAll(() => {
    for (const client of clients) client.close();
  });

  const runOnLinux = process.platform === 'linux' ? it : it.skip;
  runOnLinux('keeps its memory bounded, and serves a signed-in user, while 150 clients each send a 4 MiB body and stall', async () => {
    const document = Buffer.from('Quarterly figures, not for release.\n'.repeat(100));
    // Every code path the attack and the real user take runs once before the baseline, so
    // what is measured is what the attack costs, not the service's first use of its caches.
    const alice = await signIn('alice@contoso.com');
    const forBob = await alice.protectBuffer(document, alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] }));
    const forCarol = await alice.protectBuffer(document, alice.createLicense({ grants: [{ who: 'carol@contoso.com', rights: ['VIEW'] }] }));
    const bob = await signIn('bob@contoso.com');
    expect((await bob.unprotectBuffer(forBob)).plaintext.equals(document)).toBe(true);
    const before = rssOf(serve.child.pid!);

    // A body one byte short of its declared length: a server that buffers it waits for the last byte.
    const body = Buffer.alloc(ATTACK_BODY - 1, 0x61);
    const attackers = await Promise.all(Array.from({ length: ATTACKERS }, async (_, i) => {
      const raw = await connect(serve.port);
      // Half at the token endpoint, which is public, half at the use-license endpoint without a token.
      const target = i % 2 === 0 ? '/_wmcs/oauth2/token' : '/_wmcs/licensing/eul';
      raw.socket.write(head('POST', target, { 'content-type': 'application/json', 'content-length': ATTACK_BODY }));
      const sent = new Promise<void>((resolve) => {
        raw.socket.write(body, () => resolve());
        raw.socket.once('close', () => resolve());
      });
      return { raw, target, sent };
    }));
    await Promise.all(attackers.map((a) => a.sent));

    // While the attackers hold their connections, a user signs in with a password and gets a use license.
    const carol = await signIn('carol@contoso.com');
    const opened = await carol.unprotectBuffer(forCarol);
    expect(opened.plaintext.equals(document)).toBe(true);
    expect(opened.license.rights).toEqual(['VIEW']);
    opened.license.close();
    const samples: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      samples.push(rssOf(serve.child.pid!));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const growth = Math.max(...samples) - before;
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND);

    for (const a of attackers) a.raw.socket.destroy();
    const answers = await Promise.all(attackers.map((a) => a.raw.closed));
    // Each refusal came before its body was read; what a client still writing then receives
    // depends on its kernel, so only the answers that arrived are checked.
    for (const [i, received] of answers.entries()) {
      if (received === '') continue;
      const answer = parseAnswer(received);
      expect(answer.status).toBe(attackers[i]!.target === '/_wmcs/oauth2/token' ? 413 : 401);
    }

    // After the attackers are gone, the service still answers.
    expect((await fetch(`${serve.url}/_wmcs/discovery`)).status).toBe(200);
    expect((await bob.unprotectBuffer(forBob)).plaintext.equals(document)).toBe(true);
  }, 120_000);

  it('refuses a declared Content-Length over the route limit at once with 413 REQUEST_TOO_LARGE, and closes the connection', async () => {
    const raw = await connect(serve.port);
    // No body byte is ever sent: the answer must not wait for one.
    raw.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': ATTACK_BODY }));
    const answer = parseAnswer(await raw.closed);
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(errorCode(answer)).toBe('REQUEST_TOO_LARGE');
  });

  it('refuses a chunked body with 413 REQUEST_TOO_LARGE the moment it passes the route limit', async () => {
    const raw = await connect(serve.port);
    raw.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
    // 2 x 10 KiB against the token endpoint's 16 KiB, and no final chunk: the body never ends.
    const chunk = `${(10 * 1024).toString(16)}\r\n${'a'.repeat(10 * 1024)}\r\n`;
    raw.socket.write(chunk + chunk);
    const answer = parseAnswer(await raw.closed);
    expect(answer.status).toBe(413);
    expect(errorCode(answer)).toBe('REQUEST_TOO_LARGE');
  });

  it('answers a caller without a token with 401 and the challenge before reading the body, and closes the connection', async () => {
    const raw = await connect(serve.port);
    // Within the use-license limit, and never sent: a 401 that waited for the body would never come.
    raw.socket.write(head('POST', '/_wmcs/licensing/eul', { 'content-type': 'application/json', 'content-length': MiB }));
    const answer = parseAnswer(await raw.closed);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe(`Bearer authorization_uri="${serve.url}/_wmcs/oauth2", resource="${serve.url}"`);
    expect(answer.headers.connection).toBe('close');
    expect(errorCode(answer)).toBe('AUTHENTICATION_FAILED');
  });

  it('bounds each route by its own limit: a signed-in caller may send a use-license request larger than a sign-in, not over its limit', async () => {
    const token = await accessToken(serve, 'bob@contoso.com');
    const large = await connect(serve.port);
    large.socket.write(head('POST', '/_wmcs/licensing/eul', { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': 2 * MiB }));
    const refused = parseAnswer(await large.closed);
    expect(refused.status).toBe(413);
    expect(errorCode(refused)).toBe('REQUEST_TOO_LARGE');
    // 64 KiB is over the token endpoint's limit but within the use license's: it is read, and judged on what it says.
    const response = await fetch(`${serve.url}/_wmcs/licensing/eul`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pl: 'x'.repeat(64 * 1024), rac: 'y' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_FORMAT');
  });
});

describe('a service with short timeouts and a small body budget', () => {
  let serve: Serve;
  beforeAll(async () => {
    serve = await startServe('short', ['headersTimeoutMs=300', 'requestTimeoutMs=600', 'keepAliveTimeoutMs=1000', 'bodyBudgetBytes=20000']);
  }, 60_000);

  it('disconnects a client that sends part of its headers and stalls', async () => {
    const raw = await connect(serve.port);
    raw.socket.write('POST /_wmcs/oauth2/token HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    expect(parseAnswer(await raw.closed).status).toBe(408);
  });

  it('disconnects a client that sends its headers and part of its body and stalls', async () => {
    const raw = await connect(serve.port);
    raw.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': 100 }));
    raw.socket.write('{"grant_type": ');
    expect(parseAnswer(await raw.closed).status).toBe(408);
  });

  it('tells a kept-alive connection its idle time, and closes it when no next request comes', async () => {
    const raw = await connect(serve.port);
    raw.socket.write(head('GET', '/_wmcs/discovery'));
    const answer = parseAnswer(await raw.closed);
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('keep-alive');
    expect(answer.headers['keep-alive']).toBe('timeout=1');
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After past the body budget, and takes bodies again once it is free', async () => {
    // The budget counts bytes received, not bytes declared: the holder sends 15,000 of its 16,000.
    const holder = await connect(serve.port);
    holder.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': 16000 }));
    holder.socket.write(' '.repeat(15000));
    const second = await connect(serve.port);
    second.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': 16000 }));
    // Sent in pieces until the budget is passed (the holder's bytes may still be on their way).
    for (let sent = 0; sent < 16000 && !second.socket.destroyed; sent += 1000) {
      second.socket.write(' '.repeat(1000));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const busy = parseAnswer(await second.closed);
    expect(busy.status).toBe(503);
    expect(errorCode(busy)).toBe('SERVICE_UNAVAILABLE');
    expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
    expect(busy.headers.connection).toBe('close');

    // The holder's body completes and is answered; its bytes go back to the budget.
    holder.socket.write(' '.repeat(1000));
    await new Promise<void>((resolve) => holder.socket.on('data', (d: Buffer) => { if (d.includes('HTTP/1.1 400')) resolve(); }));
    const third = await connect(serve.port);
    third.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': 16000, connection: 'close' }));
    third.socket.write(' '.repeat(16000));
    const accepted = parseAnswer(await third.closed);
    expect(accepted.status).toBe(400);
    expect(errorCode(accepted)).toBe('INVALID_FORMAT');
    holder.socket.destroy();
  });

  it('holds nothing for a Content-Length declared and never sent: other requests still get their bodies read', async () => {
    const declared = await Promise.all(Array.from({ length: 8 }, () => connect(serve.port)));
    for (const raw of declared) raw.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': 16000 }));
    const other = await connect(serve.port);
    other.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': 2, connection: 'close' }));
    other.socket.write('{}');
    expect(parseAnswer(await other.closed).status).toBe(400);
    for (const raw of declared) raw.socket.destroy();
  });
});

describe('limits per client', () => {
  let serve: Serve;
  beforeAll(async () => {
    serve = await startServe('per-client', ['maxConnectionsPerClient=3', 'bodyBudgetPerClientBytes=20000']);
  }, 60_000);

  it('closes a client\'s connections past its cap as they arrive, while another client is served', async () => {
    const held = await Promise.all([0, 1, 2].map(() => connect(serve.port, '127.0.0.2')));
    for (const raw of held) {
      raw.socket.write(head('GET', '/_wmcs/discovery'));
      await new Promise<void>((resolve) => raw.socket.once('data', () => resolve()));
    }
    const fourth = await connect(serve.port, '127.0.0.2');
    fourth.socket.write(head('GET', '/_wmcs/discovery'));
    expect(await fourth.closed).toBe('');
    const other = await connect(serve.port, '127.0.0.3');
    other.socket.write(head('GET', '/_wmcs/discovery', { connection: 'close' }));
    expect(parseAnswer(await other.closed).status).toBe(200);
    for (const raw of held) raw.socket.destroy();
  });

  it('gives one client no more than its share of the body budget, while another client is served', async () => {
    const first = await connect(serve.port, '127.0.0.4');
    first.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': 16000 }));
    first.socket.write(' '.repeat(15000));
    const second = await connect(serve.port, '127.0.0.4');
    second.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': 16000 }));
    for (let sent = 0; sent < 16000 && !second.socket.destroyed; sent += 1000) {
      second.socket.write(' '.repeat(1000));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(parseAnswer(await second.closed).status).toBe(503);
    const other = await connect(serve.port, '127.0.0.5');
    other.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': 10000, connection: 'close' }));
    other.socket.write(' '.repeat(10000));
    expect(parseAnswer(await other.closed).status).toBe(400);
    first.socket.destroy();
  });
});

describe('a service with an idle timeout', () => {
  it('disconnects a client that stops sending, before the request timeout', async () => {
    const serve = await startServe('idle', ['idleTimeoutMs=300']);
    const raw = await connect(serve.port);
    raw.socket.write(head('POST', '/_wmcs/oauth2/token', { 'content-type': 'application/json', 'content-length': 100 }));
    raw.socket.write('{"grant_type": ');
    // The idle timeout ends the connection without an answer (a 408 would be the request timeout's).
    expect(await raw.closed).toBe('');
  }, 60_000);
});

describe('a service with a connection cap', () => {
  it('closes connections past the cap as they arrive, and accepts again once one is gone', async () => {
    const serve = await startServe('capped', ['maxConnections=2']);
    // Two kept-alive connections, each answered once, so the service has surely counted them.
    const held = await Promise.all([connect(serve.port), connect(serve.port)]);
    for (const raw of held) {
      raw.socket.write(head('GET', '/_wmcs/discovery'));
      await new Promise<void>((resolve) => raw.socket.once('data', () => resolve()));
    }
    const third = await connect(serve.port);
    third.socket.write(head('GET', '/_wmcs/discovery'));
    expect(await third.closed).toBe('');

    // A request with Connection: close is answered, then the service closes that connection itself.
    held[0]!.socket.write(head('GET', '/_wmcs/discovery', { connection: 'close' }));
    expect(parseAnswer(await held[0]!.closed).status).toBe(200);
    const fourth = await connect(serve.port);
    fourth.socket.write(head('GET', '/_wmcs/discovery', { connection: 'close' }));
    expect(parseAnswer(await fourth.closed).status).toBe(200);
    held[1]!.socket.destroy();
  }, 60_000);
});
