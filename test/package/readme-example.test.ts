/**
 * The README's API example runs as written: the code block is taken from README.md itself (so
 * the two cannot drift), compiled as an application's ES module against the package's own
 * types (strict: nothing undefined), and run with openrms installed in an empty folder, beside a
 * licensing service with the users and passwords of the README's "Protect and open by hand".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT } from '../support/built-package';
import { compileIn, ConsumerFolder, makeConsumerFolder, runNodeIn } from '../support/consumer-folder';
import { startTestService, TestService } from '../support/licensing-service';

/** The README's one TypeScript block that imports from 'openrms'. */
function readmeExample(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).filter((code) => code.includes("from 'openrms'"));
  expect(blocks).toHaveLength(1);
  return blocks[0]!;
}

describe("the README's API example", () => {
  let app: ConsumerFolder;
  let svc: TestService;

  beforeAll(async () => {
    app = makeConsumerFolder();
    app.link('@types/node');
    svc = await startTestService();
    for (const user of ['alice', 'bob', 'carol', 'dave']) {
      await svc.service.accounts.addUser(`${user}@contoso.com`, { password: `pw-${user}-secret` });
    }
  });
  afterAll(async () => {
    await svc?.cleanup();
    app?.remove();
  });

  it('compiles against the package types and runs as written: each party with its own store, bob opens with VIEW only, the records come back', async () => {
    writeFileSync(path.join(app.dir, 'example.mts'), readmeExample());
    expect(compileIn(app.dir, 'example.mts', { module: 'nodenext', moduleResolution: 'nodenext', outDir: '.' })).toBe('');
    const run = await runNodeIn(app.dir, ['example.mjs'], { OPENRMS_SERVICE: svc.service.url });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toEqual(['the quarterly report', 'false', 'record 1record 2record 3', '']);
    expect(run.status).toBe(0);
  });
});
