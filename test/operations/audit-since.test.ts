/**
 * `openrms audit --since`: only a date or time that exists, or a span back from now of at most
 * 100 years, reaches the database; anything else is a usage error (exit 2) naming --since. A
 * span too long to fit PostgreSQL's BIGINT was an INTERNAL error there, and 2025-02-31 was read
 * as March 3.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseSince } from '../../lib/cli/audit';
import { openDataFolder } from '../../lib/server';
import { openrms, openrmsJson } from '../support/cli-in-process';
import { PostgresServer, startPostgres } from '../support/postgres';

const NOW = Date.UTC(2026, 5, 15, 12) / 1000;

describe('parseSince', () => {
  it.each([
    ['2025-02-31'], ['2025-02-29'], ['2025-13-01'], ['2025-00-10'], ['2025-04-31'], ['2025-03-01T24:00'], ['2025-03-01T08:60'],
    ['2025-03-01T08:00:60Z'], ['2025-03-01T08:00+24:00'], ['2025-03-01T8'], ['2025-3-1'], ['yesterday'], ['-1d'], ['1w'],
  ])('refuses %s, which names no time, with a usage error naming --since', (value) => {
    expect(() => parseSince(value, NOW)).toThrow(expect.objectContaining({ argument: '--since' }) as Error);
  });

  it.each([['99999999999999999999d'], ['36526d'], ['876601h'], ['3155760001s']])('refuses a span of more than 100 years (%s)', (value) => {
    expect(() => parseSince(value, NOW)).toThrow(expect.objectContaining({ argument: '--since' }) as Error);
  });

  it('reads spans of up to 100 years back from now', () => {
    expect(parseSince('30m', NOW)).toBe(NOW - 1800);
    expect(parseSince('7d', NOW)).toBe(NOW - 7 * 86400);
    expect(parseSince('36525d', NOW)).toBe(NOW - 36525 * 86400);
  });

  it('reads dates and times that exist, in UTC, with an offset, or in local time', () => {
    expect(parseSince('2024-02-29', NOW)).toBe(Date.UTC(2024, 1, 29) / 1000);
    expect(parseSince('2025-03-01T08:00:00Z', NOW)).toBe(Date.UTC(2025, 2, 1, 8) / 1000);
    expect(parseSince('2025-03-01T08:00:00.750Z', NOW)).toBe(Date.UTC(2025, 2, 1, 8) / 1000);
    expect(parseSince('2025-03-01T08:00+02:00', NOW)).toBe(Date.UTC(2025, 2, 1, 6) / 1000);
    expect(parseSince('2025-03-01T08:00:00-0530', NOW)).toBe(Date.UTC(2025, 2, 1, 13, 30) / 1000);
    expect(parseSince('2025-03-01 08:00', NOW)).toBe(new Date(2025, 2, 1, 8).getTime() / 1000);
    expect(parseSince('0001-01-01', NOW)).toBe(Date.UTC(2001, 0, 1) / 1000 - 2000 * 365.2425 * 86400);
  });
});

describe('openrms audit on PostgreSQL', () => {
  let root: string;
  let postgres: PostgresServer;
  let dataDir: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'openrms-audit-since-'));
    postgres = await startPostgres();
    dataDir = path.join(root, 'service');
    openDataFolder(dataDir);
    const file = path.join(dataDir, 'service.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), db: await postgres.createDatabase() }));
  }, 60_000);

  afterAll(async () => {
    await postgres?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers a span too long for the database with a usage error naming --since, not an internal error', async () => {
    for (const since of ['99999999999999999999d', '2025-02-31']) {
      const result = await openrms(['audit', '--since', since, '--data', dataDir]);
      expect({ since, code: result.code, stderr: result.stderr }).toEqual({ since, code: 2, stderr: expect.stringContaining('--since') as string });
    }
    expect((await openrmsJson<{ entries: unknown[] }>(['audit', '--since', '36525d', '--data', dataDir])).entries).toEqual([]);
  }, 60_000);
});
