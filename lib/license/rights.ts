/**
 * Usage rights, as MSIPC names them: `OWNER` implies every right; the other common rights;
 * application-defined rights (`[A-Za-z0-9._-]`, at most 256 characters); and roles that expand
 * to sets of rights, as RMS templates define them (docs/licenses.md has the table).
 */
import { invalidArgument } from '../errors';

export const COMMON_RIGHTS = [
  'OWNER', 'VIEW', 'EDIT', 'EXTRACT', 'EXPORT', 'PRINT', 'COMMENT', 'VIEWRIGHTSDATA', 'EDITRIGHTSDATA', 'FORWARD', 'REPLY', 'REPLYALL',
] as const;
export type CommonRight = (typeof COMMON_RIGHTS)[number];

export const ROLES = ['VIEWER', 'REVIEWER', 'AUTHOR', 'COOWNER'] as const;
export type Role = (typeof ROLES)[number];

const VIEWER: readonly string[] = ['VIEW', 'VIEWRIGHTSDATA', 'REPLY', 'REPLYALL'];
const REVIEWER: readonly string[] = [...VIEWER, 'EDIT', 'COMMENT', 'FORWARD'];
const AUTHOR: readonly string[] = [...REVIEWER, 'EXTRACT', 'PRINT'];

/** The rights each role grants. */
export const ROLE_RIGHTS: Readonly<Record<Role, readonly string[]>> = {
  VIEWER, REVIEWER, AUTHOR, COOWNER: ['OWNER'],
};

const APPLICATION_RIGHT = /^[A-Za-z0-9._-]{1,256}$/;

/**
 * A right as stored in a license: a common right in upper case (names are matched without
 * regard to case, as MSIPC does), or an application-defined right kept as written.
 */
export function normalizeRight(right: unknown): string {
  if (typeof right !== 'string' || !APPLICATION_RIGHT.test(right)) {
    throw invalidArgument('right', 'a right name of 1 to 256 characters from A-Z, a-z, 0-9, ".", "_" and "-"');
  }
  const upper = right.toUpperCase();
  return (COMMON_RIGHTS as readonly string[]).includes(upper) ? upper : right;
}

/** Rights and roles to the sorted, de-duplicated set of rights they grant. */
export function expandRights(rightsOrRoles: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const item of rightsOrRoles) {
    const role = typeof item === 'string' ? (item.toUpperCase() as Role) : undefined;
    if (role !== undefined && (ROLES as readonly string[]).includes(role)) {
      for (const right of ROLE_RIGHTS[role]) out.add(right);
    } else {
      out.add(normalizeRight(item));
    }
  }
  return [...out].sort();
}

/** Whether `granted` includes `right` (OWNER includes every right). */
export function hasRight(granted: readonly string[], right: string): boolean {
  const wanted = normalizeRight(right);
  return granted.includes('OWNER') || granted.includes(wanted);
}
