import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { requireBuilt, ROOT } from '../support/built-package';

function openrms(...args: string[]) {
  requireBuilt();
  return spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
}

describe('openrms CLI', () => {
  it('prints the package version', () => {
    const result = openrms('--version');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(require('../../package.json').version);
  });

  it('prints help naming its commands', () => {
    const result = openrms('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: openrms <command>');
    expect(result.stdout).toContain('demo');
  });

  it('reports an unknown command as error: CODE: message and exits non-zero', () => {
    const result = openrms('frobnicate');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/^error: INVALID_ARGUMENT: unknown command "frobnicate"/);
  });

  it('runs the demo round trip through a real service and reports it as JSON', () => {
    const result = openrms('demo', '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(true);
    expect(report.steps.map((s: { step: string }) => s.step)).toEqual(
      ['start service', 'add users', 'alice signs in', 'alice protects', 'bob signs in', 'bob opens', 'bob checks EDIT',
        'bob exports', 'tamper check', 'offline reopen']);
    const detail = (step: string) => report.steps.find((s: { step: string }) => s.step === step).detail;
    expect(detail('bob opens')).toContain('rights VIEW;');
    expect(detail('bob exports')).toContain('RIGHT_NOT_GRANTED');
    expect(detail('offline reopen')).toContain('cached use license');
  });
});
