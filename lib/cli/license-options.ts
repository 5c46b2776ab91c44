/**
 * The options that say what a license grants, as `protect`, `share` and `templates create` take
 * them: `--grant EMAIL:RIGHT[,RIGHT]...`, `--rights RIGHT,...`, `--expires ISO-DATE|Nd`,
 * `--offline-days N`. A misspelt right is refused here, on the command line: the license would
 * carry it as an application-defined right that no application asks for, and the recipient would
 * find out only when the file does not open.
 */
import { Grant } from '../license/publishing-license';
import { COMMON_RIGHTS, normalizeRight, ROLES } from '../license/rights';
import { usageError } from './command-line';

/**
 * How a command line names a right MSIPC leaves to applications (IPC_GENERIC_* are the common
 * ones; an application may define its own, e.g. READ_LEDGER). A prefix rather than a separate
 * option: the right belongs to one grant, next to that person's other rights.
 */
export const CUSTOM_PREFIX = 'custom:';

const KNOWN = new Set<string>([...COMMON_RIGHTS, ...ROLES]);

const VALID_RIGHTS = `one of ${COMMON_RIGHTS.join(', ')}; a role (${ROLES.join(', ')}); `
  + `or an application's own right marked ${CUSTOM_PREFIX}NAME (A-Z, a-z, 0-9, ".", "_", "-")`;

/** One right or role as typed (any case), or `custom:NAME`: the name the license carries. */
export function parseRight(option: string, value: string): string {
  const right = value.trim();
  if (right.toLowerCase().startsWith(CUSTOM_PREFIX)) {
    const name = right.slice(CUSTOM_PREFIX.length);
    if (KNOWN.has(name.toUpperCase())) throw usageError(option, `${VALID_RIGHTS}: ${name} is a common right or role, written without ${CUSTOM_PREFIX}`);
    try {
      return normalizeRight(name);
    } catch {
      throw usageError(option, `${VALID_RIGHTS}: ${JSON.stringify(name)} is not a right name`);
    }
  }
  if (!KNOWN.has(right.toUpperCase())) {
    throw usageError(option, `${VALID_RIGHTS}; ${JSON.stringify(right)} is none of these (an application's own right: ${CUSTOM_PREFIX}${right})`);
  }
  return right.toUpperCase();
}

/** `RIGHT[,RIGHT]...`: at least one. */
export function parseRights(option: string, value: string): string[] {
  const rights = value.split(',').map((r) => r.trim()).filter((r) => r !== '');
  if (rights.length === 0) throw usageError(option, `at least one right: ${VALID_RIGHTS}`);
  return rights.map((r) => parseRight(option, r));
}

/** `--grant EMAIL:RIGHT[,RIGHT]...` (the last colon splits: `custom:` belongs to the rights). */
export function parseGrant(value: string): Grant {
  const match = /^([^:]+):(.+)$/s.exec(value);
  if (match === null || match[1]!.trim() === '') throw usageError('--grant', 'EMAIL:RIGHT[,RIGHT]..., e.g. bob@contoso.com:VIEW,PRINT');
  return { who: match[1]!.trim(), rights: parseRights('--grant', match[2]!) };
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * `--expires`: a number of days from now (`30d`) or an ISO 8601 date or time (`2027-01-31`,
 * `2027-01-31T18:00:00Z`). A time already past is refused: the content would open for nobody.
 */
export function parseExpires(value: string, nowMs: number): Date {
  const days = /^(\d{1,6})d$/i.exec(value);
  const date = days !== null ? new Date(nowMs + Number(days[1]) * DAY_MS) : /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(NaN);
  if (!Number.isFinite(date.getTime())) throw usageError('--expires', 'an ISO date (2027-01-31, 2027-01-31T18:00:00Z) or a number of days (30d)');
  if (date.getTime() <= nowMs) throw usageError('--expires', `in the future (${value} is ${date.toISOString()}, and it is ${new Date(nowMs).toISOString()})`);
  return date;
}

/** `--offline-days N`: how long a use license is used without asking the service again. */
export function parseOfflineDays(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw usageError('--offline-days', 'an integer from 0 to 65535');
  return Number(value);
}

/** Commander's collector for an option given several times (`--grant A --grant B`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
