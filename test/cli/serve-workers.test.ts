/** `openrms serve --workers N`: N service processes share the port, and SIGTERM stops them all. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { requireBuilt, ROOT } from '../support/built-package';

describe('openrms serve --workers', () => {
  it('starts 2 workers behind one URL that answers, and stops them on SIGTERM', async () => {
    requireBuilt();
    const data = mkdtempSync(path.join(os.tmpdir(), 'openrms-workers-'));
    const serve = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'serve', '--data', data, '--listen', '127.0.0.1:0', '--workers', '2', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stderr!.resume();
    try {
      const [line] = await once(serve.stdout!, 'data') as [Buffer];
      const started = JSON.parse(line.toString().split('\n')[0]!);
      expect(started).toMatchObject({ workers: 2, dataDir: data });
      const answers = await Promise.all([1, 2, 3, 4].map(() => fetch(`${started.url}/_wmcs/health/live`)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      serve.kill('SIGTERM');
      const [code] = await once(serve, 'exit');
      expect(code).toBe(0);
    } finally {
      if (serve.exitCode === null) serve.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('refuses a worker count that is not 1 to 256 as a usage error (exit 2)', async () => {
    requireBuilt();
    const serve = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'serve', '--workers', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const [code] = await once(serve, 'exit');
    expect(code).toBe(2);
  });
});
