/**
 * The package's types, as an application sees them: the tarball `npm pack` makes is checked by
 * @arethetypeswrong/cli for every entry point, then installed in an empty folder where
 * test/types/public-api.ts (the public API, with the names that must stay out of it) and a use
 * of openrms/server are compiled as CommonJS and as ESM under each module resolution.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT, requireBuilt } from '../support/built-package';
import { compileIn, ConsumerFolder, makeConsumerFolder } from '../support/consumer-folder';

/** A consumer's compiler settings: module kind, resolution, and the file extension that picks CommonJS or ESM. */
const SETUPS = [
  { name: 'node10 (CommonJS)', module: 'commonjs', moduleResolution: 'node10', ext: '.ts' },
  { name: 'node16 from CommonJS', module: 'node16', moduleResolution: 'node16', ext: '.cts' },
  { name: 'node16 from ESM', module: 'node16', moduleResolution: 'node16', ext: '.mts' },
  { name: 'nodenext from CommonJS', module: 'nodenext', moduleResolution: 'nodenext', ext: '.cts' },
  { name: 'nodenext from ESM', module: 'nodenext', moduleResolution: 'nodenext', ext: '.mts' },
  { name: 'bundler', module: 'esnext', moduleResolution: 'bundler', ext: '.ts' },
] as const;

const SERVER_USE = `
import { DEFAULT_LIMITS, startService } from 'openrms/server';
import type { RunningService, ServiceOptions } from 'openrms/server';

export async function serve(dataDir: string): Promise<RunningService> {
  const options: ServiceOptions = { dataDir, port: 0, limits: DEFAULT_LIMITS };
  return startService(options);
}
`;

describe('the packed package', () => {
  let packDir: string;
  let tarball: string;
  let app: ConsumerFolder;

  beforeAll(() => {
    requireBuilt();
    packDir = mkdtempSync(path.join(os.tmpdir(), 'openrms-pack-'));
    // dist/ is built already (npm test builds it): no prepack build here.
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.stderr).not.toMatch(/ERR!/);
    tarball = path.join(packDir, JSON.parse(pack.stdout)[0].filename);
    app = makeConsumerFolder({ tarball });
    app.link('@types/node');
  });
  afterAll(() => {
    app?.remove();
    if (packDir !== undefined) rmSync(packDir, { recursive: true, force: true });
  });

  it('has types that resolve, and agree with the JavaScript, for every entry point under node10, node16 and bundler', () => {
    const attw = path.join(ROOT, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const result = spawnSync(process.execPath, [attw, '--format', 'json', tarball], { encoding: 'utf8' });
    const report = JSON.parse(result.stdout) as {
      problems: Record<string, unknown>;
      analysis: { entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }> };
    };
    expect(report.problems).toEqual({});
    expect(result.status).toBe(0);
    const typesOf = (entry: string): Record<string, string | undefined> => Object.fromEntries(
      Object.entries(report.analysis.entrypoints[entry]!.resolutions).map(([kind, r]) => [kind, r.resolution?.fileName.replace(/^.*\/openrms\//, '')]));
    expect(typesOf('.')).toEqual({
      node10: 'dist/index.d.ts', 'node16-cjs': 'dist/index.d.ts', 'node16-esm': 'dist/index.d.mts', bundler: 'dist/index.d.mts',
    });
    expect(Object.values(typesOf('./server'))).toEqual(Array(4).fill('dist/server/index.d.ts'));
  });

  const compile = (file: string, setup: (typeof SETUPS)[number]): string =>
    compileIn(app.dir, file, { module: setup.module, moduleResolution: setup.moduleResolution, noEmit: true });

  it.each(SETUPS)('compiles an application of the public API, with no database types installed, under $name', (setup) => {
    const file = `public-api${setup.ext}`;
    copyFileSync(path.join(ROOT, 'test', 'types', 'public-api.ts'), path.join(app.dir, file));
    expect(compile(file, setup)).toBe('');
  });

  // attw has checked openrms/server's types resolve under every resolution; compiling a use of it
  // under the two that find them differently (typesVersions, exports) is enough.
  const serverSetups = SETUPS.filter((s) => s.name === 'node10 (CommonJS)' || s.name === 'nodenext from ESM');
  it.each(serverSetups)('compiles a use of openrms/server (with @types/better-sqlite3, as its users install) under $name', (setup) => {
    app.link('@types/better-sqlite3');
    const file = `server-use${setup.ext}`;
    writeFileSync(path.join(app.dir, file), SERVER_USE);
    try {
      expect(compile(file, setup)).toBe('');
    } finally {
      rmSync(path.join(app.dir, 'node_modules', '@types', 'better-sqlite3'));
    }
  });
});
