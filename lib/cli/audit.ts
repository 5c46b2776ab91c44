/**
 * `openrms audit [--since TIME] [--user EMAIL] [--content ID] [--limit N] [--before ID]`, with
 * `--data` and `--db`: the service's audit log (every license issued or refused, certificate,
 * template change and revocation), newest first, a page at a time.
 */
import { Command } from 'commander';

import { normalizeEmail } from '../license/certificates';
import { AuditLog, AuditRecord, MAX_AUDIT_PAGE } from '../server/audit-log';
import { examples } from './command-tree';
import { CommandIo, printable, report, usageError } from './command-line';
import { DataFlags, dataOptions, withServiceData } from './service-data';
import { isoTime } from './users';

interface AuditFlags extends DataFlags {
  since?: string;
  user?: string;
  content?: string;
  limit?: string;
  before?: string;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/** The longest span back --since takes: past it, the number is a mistake, and its seconds would not fit the database's BIGINT. */
const MAX_SPAN_SECONDS = 100 * 36525 * 864;
const SINCE_EXPECTED = 'a date or time that exists (2025-03-01, 2025-03-01T08:00:00Z) or a span back from now of at most 100 years (30m, 24h, 7d)';
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * The time an ISO 8601 date or date-time names, in milliseconds, or null when it names none: every
 * field is checked by a round trip, since Date would roll 2025-02-31 over to March 3 without a word.
 * A date alone is UTC midnight; a time without an offset is local time, as Date.parse reads it.
 */
function isoMilliseconds(value: string): number | null {
  const m = ISO_TIME.exec(value);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const ms = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day);
  calendar.setUTCHours(hour, minute, second, ms);
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day
    || calendar.getUTCHours() !== hour || calendar.getUTCMinutes() !== minute || calendar.getUTCSeconds() !== second) return null;
  if (m[4] === undefined || m[8] === 'Z') return calendar.getTime();
  if (m[8] === undefined) {
    const local = new Date(0);
    local.setFullYear(year, month - 1, day);
    local.setHours(hour, minute, second, ms);
    return local.getTime();
  }
  const [offsetHours, offsetMinutes] = [Number(m[10]), Number(m[11])];
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  return calendar.getTime() - (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
}

/**
 * `--since`: a date or time (ISO 8601, e.g. 2025-03-01 or 2025-03-01T08:00:00Z), or a span back
 * from now (30m, 24h, 7d) of at most 100 years. Anything else, a date that does not exist
 * included, is a usage error naming --since: nothing out of range reaches the database.
 */
export function parseSince(value: string, now: number): number {
  const span = /^(\d{1,15})([smhd])$/.exec(value);
  if (span !== null) {
    const seconds = Number(span[1]) * UNIT_SECONDS[span[2]!]!;
    if (seconds > MAX_SPAN_SECONDS) throw usageError('--since', SINCE_EXPECTED);
    return now - seconds;
  }
  const time = isoMilliseconds(value);
  if (time === null) throw usageError('--since', SINCE_EXPECTED);
  return Math.floor(time / 1000);
}

function positive(value: string | undefined, option: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= max)) throw usageError(option, `an integer from 1 to ${max}`);
  return n;
}

function entryLine(e: AuditRecord): string {
  const parts = [`#${e.id}`, isoTime(e.at), printable(e.actor), e.action, e.outcome];
  if (e.cid !== null) parts.push(`content ${printable(e.cid)}`);
  if (e.rights !== null) parts.push(`rights ${e.rights.map(printable).join(',')}`);
  if (e.reason !== null) parts.push(e.outcome === 'refused' ? `reason ${printable(e.reason)}` : printable(e.reason));
  return parts.join('  ');
}

async function showAudit(flags: AuditFlags, io: CommandIo): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const since = flags.since === undefined ? undefined : parseSince(flags.since, now);
  let actor: string | undefined;
  try {
    actor = flags.user === undefined ? undefined : normalizeEmail(flags.user);
  } catch {
    throw usageError('--user', 'an email address');
  }
  const limit = positive(flags.limit, '--limit', MAX_AUDIT_PAGE) ?? 100;
  const before = positive(flags.before, '--before', Number.MAX_SAFE_INTEGER);
  const entries = await withServiceData(flags, io, ({ storage, now: clock }) =>
    new AuditLog(storage.audit, clock).query({ since, actor, cid: flags.content, before, limit }));
  // A full page may have more after it: `next` is the --before that reads on.
  const next = entries.length === limit ? entries[entries.length - 1]!.id : null;
  const text = entries.length === 0 ? ['no audit entries match'] : entries.map(entryLine);
  if (next !== null) text.push(`(more: --before ${next})`);
  report(flags, io, { entries: entries.map((e) => ({ ...e, at: isoTime(e.at) })), next }, text);
}

export function auditCommand(io: CommandIo): Command {
  const command = dataOptions(new Command('audit')
    .summary("search the service's audit log")
    .description('Every license issued or refused, certificate, template change and revocation, newest first: who, what, which content, '
      + `which rights, the outcome and when. At most --limit entries (default 100, up to ${MAX_AUDIT_PAGE}); a full page ends with the --before that reads on.`)
    .option('--since <time>', 'entries from then on: a date or time (2025-03-01, 2025-03-01T08:00:00Z) or a span back from now (30m, 24h, 7d)')
    .option('--user <email>', 'entries of this identity')
    .option('--content <id>', 'entries about this content ID')
    .option('--limit <n>', 'at most this many entries (default 100)')
    .option('--before <id>', 'entries older than this one (the next page)'))
    .action((flags: AuditFlags) => showAudit(flags, io));
  return examples(command, [
    'openrms audit --since 24h --data /srv/openrms',
    'openrms audit --user bob@contoso.com --content 1b4e28ba-2fa1-11d2-883f-0016d3cca427 --json',
    'openrms audit --limit 1000 --before 52311 --json',
  ]);
}
