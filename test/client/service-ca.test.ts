/**
 * Private CAs (issue 11): the CA given at sign-in (`openrms login --ca FILE`,
 * `RmsClient.signIn({ ca })`) is remembered for that service and used by every later command and
 * call to it; OPENRMS_CA and the CAFile setting add a CA for every service, and
 * NODE_EXTRA_CA_CERTS stays trusted beside them. Real services over HTTPS, each with a
 * certificate from a test CA of its own that nothing else trusts.
 */
import { execFile as execFileCallback } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';

import { passwordTokenProvider, RmsClient, RmsError } from '../../lib';
import { main } from '../../lib/cli/main';
import { requireBuilt, ROOT } from '../support/built-package';
import { codeOf } from '../support/error-code';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';
import { makeTestCa, TestCa } from '../support/test-ca';

const execFile = promisify(execFileCallback);
let root: string;
let caA: TestCa;
let caB: TestCa;
let a: TestService;
let b: TestService;
let stores = 0;
const savedEnv = { ...process.env };

function store(): string {
  return path.join(root, 'stores', `s${++stores}`);
}

/** `openrms ARGS` in this process, as a user with the store `home` types it; its output. */
async function openrms(home: string, args: string[], input = ''): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await main(args, { out, stdin: Readable.from([input]), env: { ...process.env, OPENRMS_HOME: home } });
  return Buffer.concat(chunks).toString('utf8');
}

function signInWithoutCa(t: TestService, email: string): Promise<RmsClient> {
  return RmsClient.signIn({ store: store(), serviceUrl: t.service.url, tokenProvider: passwordTokenProvider(email, passwordOf(email)) });
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openrms-ca-'));
  caA = makeTestCa(path.join(root, 'tls'), 'a');
  caB = makeTestCa(path.join(root, 'tls'), 'b');
  a = await startTestService({ tls: caA });
  b = await startTestService({ tls: caB });
  for (const t of [a, b]) for (const who of ['alice', 'bob']) await t.addUser(`${who}@contoso.com`);
  process.env.OPENRMS_MACHINE_CONFIG = path.join(root, 'machine');
}, 60_000);

afterEach(() => {
  process.env = { ...savedEnv, OPENRMS_MACHINE_CONFIG: path.join(root, 'machine') };
  rmSync(path.join(root, 'machine'), { recursive: true, force: true });
});

afterAll(async () => {
  process.env = savedEnv;
  await a?.cleanup();
  await b?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe('a CA given at sign-in', () => {
  it('is remembered by openrms login --ca: later commands reach the service without --ca', async () => {
    const alice = store();
    const login = JSON.parse(await openrms(alice, ['login', 'alice@contoso.com', '--service', a.service.url, '--password-stdin', '--ca', caA.caFile, '--json'],
      `${passwordOf('alice@contoso.com')}\n`));
    expect(login.service).toBe(a.service.url);
    expect(JSON.parse(await openrms(alice, ['templates', '--json']))).toEqual([]);
    writeFileSync(path.join(root, 'plan.txt'), 'the plan\n');
    // protect --json: a line per file, then the summary.
    const protectedFile = JSON.parse((await openrms(alice, ['protect', path.join(root, 'plan.txt'), '--grant', 'bob@contoso.com:VIEW', '--out', path.join(root, 'out'), '--json']))
      .split('\n')[0]!).path;
    expect(JSON.parse(await openrms(alice, ['rights', protectedFile, '--json'])).rights).toEqual(['OWNER']);
    // Signing in there again needs it no more either.
    expect(JSON.parse(await openrms(alice, ['login', 'alice@contoso.com', '--service', a.service.url, '--password-stdin', '--json'],
      `${passwordOf('alice@contoso.com')}\n`)).serviceId).toBe(login.serviceId);
    // Without it, the service's certificate is not trusted.
    rmSync(path.join(alice, 'services', login.serviceId, 'ca.pem'));
    const another = JSON.parse((await openrms(alice, ['protect', path.join(root, 'plan.txt'), '--grant', 'bob@contoso.com:VIEW', '--out', path.join(root, 'out2'), '--json']))
      .split('\n')[0]!).path;
    const failure = await openrms(alice, ['rights', another, '--json']).catch((error: RmsError) => error);
    expect(failure).toMatchObject({ code: 'NEEDS_ONLINE', cause: { code: 'SERVICE_UNAVAILABLE' } });
    expect(String((failure as RmsError).cause)).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it('is remembered by RmsClient.signIn({ ca }): the client reopened without ca reaches the service', async () => {
    const signedIn = await a.signIn('bob@contoso.com', { store: store(), ca: readFileSync(caA.caFile) });
    signedIn.close();
    const bob = RmsClient.open({ store: signedIn.storeRoot });
    expect(await bob.getTemplates()).toEqual([]);
    bob.close();
  });

  it('is refused when it holds no certificate, naming the option', async () => {
    writeFileSync(path.join(root, 'not-a-ca.pem'), 'hello\n');
    await expect(openrms(store(), ['login', 'alice@contoso.com', '--service', a.service.url, '--password-stdin', '--ca', path.join(root, 'not-a-ca.pem')], 'x\n'))
      .rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'ca' });
  });
});

describe('CAs for every service', () => {
  it('trusts no private CA by default', async () => {
    expect(await codeOf(signInWithoutCa(a, 'alice@contoso.com'))).toBe('SERVICE_UNAVAILABLE');
  });

  it('trusts the CA file OPENRMS_CA names', async () => {
    process.env.OPENRMS_CA = caA.caFile;
    const alice = await signInWithoutCa(a, 'alice@contoso.com');
    expect(alice.serviceUrl).toBe(a.service.url);
    alice.close();
  });

  it('trusts the CA file the CAFile setting names (HKLM\\SOFTWARE\\Microsoft\\MSIPC\\TLS)', async () => {
    mkdirSync(path.join(root, 'machine'), { recursive: true });
    writeFileSync(path.join(root, 'machine', 'tls.reg'), ['Windows Registry Editor Version 5.00', '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\TLS]', `"CAFile"="${caB.caFile}"`, ''].join('\r\n'));
    const bob = await signInWithoutCa(b, 'bob@contoso.com');
    expect(bob.serviceUrl).toBe(b.service.url);
    bob.close();
  });

  it('fails naming a CA file that is not there', async () => {
    process.env.OPENRMS_CA = path.join(root, 'missing.pem');
    expect(await codeOf(signInWithoutCa(a, 'alice@contoso.com'))).toBe('FILE_NOT_FOUND');
  });

  it('keeps NODE_EXTRA_CA_CERTS trusted beside OPENRMS_CA (the openrms command, as a user runs it)', async () => {
    requireBuilt();
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: caA.caFile, OPENRMS_CA: caB.caFile };
    for (const t of [a, b]) {
      // Asynchronously: the services answer from this process.
      const child = execFile(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'login', 'alice@contoso.com', '--service', t.service.url, '--password-stdin', '--json'],
        { env: { ...env, OPENRMS_HOME: store() }, timeout: 60_000 });
      child.child.stdin!.end(`${passwordOf('alice@contoso.com')}\n`);
      const { stdout, stderr } = await child;
      expect(stderr).toBe('');
      expect(JSON.parse(stdout).service).toBe(t.service.url);
    }
  });
});
