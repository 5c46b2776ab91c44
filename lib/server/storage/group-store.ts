/**
 * The service's own groups (distribution lists, as MSIPC grants to them): a group is an address
 * with members, each an address of a user, a principal's or an external identity, or another
 * group. A group exists while it has members. Membership is read when a use license is issued
 * (groups.ts), so a change applies to the next one at every instance on the database.
 */
import { SqlDatabase, SqlValue } from './sql-database';

export interface GroupMember {
  member: string;
  /** When the member was added (seconds since the epoch). */
  addedAt: number;
}

export interface GroupSummary {
  group: string;
  members: number;
}

export interface GroupStore {
  /** Adds `members` to `group` (those already in it are left as they are); the number added. */
  add(group: string, members: readonly string[], now: number): Promise<number>;
  /** Removes `members` from `group`, or every member (the group itself) when none is named; the number removed. */
  remove(group: string, members?: readonly string[]): Promise<number>;
  /** The group's direct members, by address. */
  members(group: string): Promise<GroupMember[]>;
  /** Every group and its number of direct members, by address. */
  list(): Promise<GroupSummary[]>;
  /**
   * The groups that hold one of `addresses` as a member, directly or through groups within
   * groups up to `depth` levels (a cycle ends there too).
   */
  containing(addresses: readonly string[], depth: number): Promise<string[]>;
  /**
   * Those of `addresses` this service knows as its own: a user, a principal's identity, an
   * address disabled or removed here, or one of its groups.
   */
  ownNames(addresses: readonly string[]): Promise<string[]>;
}

/**
 * `?, ?, ...` for `count` values, the count rounded up to a power of two and the rest padded with
 * NULL (which no IN list matches): each query text is prepared once per size, and few sizes occur.
 */
function inList(values: readonly string[]): { marks: string; params: SqlValue[] } {
  let size = 1;
  while (size < values.length) size *= 2;
  const params: SqlValue[] = [...values, ...new Array<null>(size - values.length).fill(null)];
  return { marks: params.map(() => '?').join(', '), params };
}

export class SqlGroupStore implements GroupStore {
  constructor(private readonly db: SqlDatabase) {}

  add(group: string, members: readonly string[], now: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      let added = 0;
      for (const member of members) {
        added += await tx.run('INSERT INTO group_members (group_address, member, added_at) VALUES (?, ?, ?) ON CONFLICT (group_address, member) DO NOTHING',
          [group, member, now]);
      }
      return added;
    });
  }

  async remove(group: string, members?: readonly string[]): Promise<number> {
    if (members === undefined) return this.db.run('DELETE FROM group_members WHERE group_address = ?', [group]);
    return this.db.transaction(async (tx) => {
      let removed = 0;
      for (const member of members) removed += await tx.run('DELETE FROM group_members WHERE group_address = ? AND member = ?', [group, member]);
      return removed;
    });
  }

  async members(group: string): Promise<GroupMember[]> {
    const rows = await this.db.all<{ member: string; added_at: number }>('SELECT member, added_at FROM group_members WHERE group_address = ? ORDER BY member', [group]);
    return rows.map((r) => ({ member: r.member, addedAt: r.added_at }));
  }

  async list(): Promise<GroupSummary[]> {
    const rows = await this.db.all<{ group_address: string; members: number }>(
      'SELECT group_address, COUNT(*) AS members FROM group_members GROUP BY group_address ORDER BY group_address');
    return rows.map((r) => ({ group: r.group_address, members: Number(r.members) }));
  }

  async containing(addresses: readonly string[], depth: number): Promise<string[]> {
    if (addresses.length === 0) return [];
    const { marks, params } = inList(addresses);
    const rows = await this.db.all<{ grp: string }>(`WITH RECURSIVE containing (grp, depth) AS (
        SELECT group_address, 1 FROM group_members WHERE member IN (${marks})
        UNION
        SELECT m.group_address, c.depth + 1 FROM group_members m JOIN containing c ON m.member = c.grp WHERE c.depth < ?
      )
      SELECT DISTINCT grp FROM containing`, [...params, depth]);
    return rows.map((r) => r.grp);
  }

  async ownNames(addresses: readonly string[]): Promise<string[]> {
    if (addresses.length === 0) return [];
    const { marks, params } = inList(addresses);
    const rows = await this.db.all<{ name: string }>(`SELECT email AS name FROM users WHERE email IN (${marks})
      UNION SELECT identity FROM service_principals WHERE identity IN (${marks})
      UNION SELECT email FROM identity_status WHERE email IN (${marks})
      UNION SELECT group_address FROM group_members WHERE group_address IN (${marks})`, [...params, ...params, ...params, ...params]);
    return rows.map((r) => r.name);
  }
}
