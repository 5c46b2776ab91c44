/**
 * The client never needs the service's database module: better-sqlite3 is an optional peer
 * dependency, loaded only when the licensing service opens its database. An application whose
 * node_modules has openrms but no better-sqlite3 protects and opens content with the API and
 * the command line; the service's entry and `openrms serve` say which package is missing.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { ConsumerFolder, makeConsumerFolder, NodeOutcome, runNodeIn } from '../support/consumer-folder';
import { passwordOf, startTestService, TestService } from '../support/licensing-service';

describe('an application without better-sqlite3', () => {
  let app: ConsumerFolder;
  let svc: TestService;

  beforeAll(async () => {
    app = makeConsumerFolder({ without: ['better-sqlite3'] });
    svc = await startTestService();
    await svc.addUser('alice@contoso.com');
    await svc.addUser('bob@contoso.com');
  });
  afterAll(async () => {
    await svc?.cleanup();
    app?.remove();
  });

  const node = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<NodeOutcome> => runNodeIn(app.dir, args, env, input);
  const cli = path.join('node_modules', 'openrms', 'dist', 'cli', 'main.js');

  it('cannot resolve better-sqlite3 (the folder is laid out as npm leaves it when the peer is not installed)', async () => {
    const result = await node(['-e', "require.resolve('better-sqlite3')"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("Cannot find module 'better-sqlite3'");
  });

  it('signs in and protects with the command line, and opens with the API, never loading a database module', async () => {
    const alice = { OPENRMS_HOME: path.join(app.dir, 'alice') };
    const login = await node([cli, 'login', 'alice@contoso.com', '--service', svc.service.url, '--password-stdin'], alice, `${passwordOf('alice@contoso.com')}\n`);
    expect(login.stderr).toBe('');
    expect(login.status).toBe(0);
    writeFileSync(path.join(app.dir, 'plan.txt'), 'the plan\n');
    const protect = await node([cli, 'protect', 'plan.txt', '--grant', 'bob@contoso.com:VIEW'], alice);
    expect(protect.stderr).toBe('');
    expect(protect.status).toBe(0);

    const open = await node(['-e', `
      const { readFileSync } = require('node:fs');
      const { RmsClient, passwordTokenProvider } = require('openrms');
      (async () => {
        const bob = await RmsClient.signIn({
          store: 'bob', serviceUrl: process.env.SERVICE_URL,
          tokenProvider: passwordTokenProvider('bob@contoso.com', process.env.BOB_PASSWORD),
        });
        const opened = await bob.unprotectBuffer(readFileSync('plan.ptxt'));
        const loaded = Object.keys(require.cache).filter((f) => f.includes('sqlite'));
        console.log(JSON.stringify({ text: opened.plaintext.toString(), edit: opened.license.accessCheck('EDIT'), loaded }));
        opened.license.close();
        bob.close();
      })().catch((e) => { console.error(e.code, e.message); process.exitCode = 1; });
    `], { SERVICE_URL: svc.service.url, BOB_PASSWORD: passwordOf('bob@contoso.com') });
    expect(open.stderr).toBe('');
    expect(JSON.parse(open.stdout)).toEqual({ text: 'the plan\n', edit: false, loaded: [] });
  });

  it('gets DEPENDENCY_NOT_INSTALLED naming better-sqlite3 from openrms/server', async () => {
    const result = await node(['-e', `
      require('openrms/server').startService({ dataDir: 'service', port: 0, log: () => {} }).then(
        (s) => s.close().then(() => console.log('started')),
        (e) => console.log(JSON.stringify({ name: e.name, code: e.code, dependency: e.dependency, message: e.message })));
    `]);
    expect(result.stderr).toBe('');
    const error = JSON.parse(result.stdout);
    expect(error).toMatchObject({ name: 'RmsError', code: 'DEPENDENCY_NOT_INSTALLED', dependency: 'better-sqlite3' });
    expect(error.message).toContain('npm install better-sqlite3');
  });

  it('hears from openrms serve which package to install', async () => {
    const result = await node([cli, 'serve', '--data', 'service', '--listen', '127.0.0.1:0']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: DEPENDENCY_NOT_INSTALLED: .*better-sqlite3.*npm install better-sqlite3/);
  });
});
