/** The audit log's rows (audit-log.ts says what is recorded): only ever inserted; read newest first, by page. */
import { SqlDatabase, SqlValue } from './sql-database';

export type AuditOutcome = 'issued' | 'refused' | 'done';

export interface AuditEntry {
  actor: string;
  action: string;
  cid?: string | null;
  rights?: readonly string[] | null;
  outcome: AuditOutcome;
  /** For a refusal, the error code given to the caller. */
  reason?: string | null;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'rights'>> {
  id: number;
  at: number;
  rights: string[] | null;
}

/** What `query` looks for: every condition given must hold. */
export interface AuditQuery {
  /** Entries at or after this time (seconds since the epoch). */
  since?: number;
  /** Entries whose actor is this identity. */
  actor?: string;
  /** Entries about this content ID. */
  cid?: string;
  /** Entries older than this one (its `id`): the next page after a page that ended with it. */
  before?: number;
  /** At most this many entries. */
  limit: number;
}

export interface AuditStore {
  /** Resolves once the entry is committed: a caller answers only after that, so what a client was told is on record. */
  append(at: number, entry: AuditEntry): Promise<void>;
  /** The most recent entries first, optionally for one content ID. */
  recent(limit: number, cid?: string): Promise<AuditRecord[]>;
  /** The entries matching `query`, the most recent first (by `id`, the order they were committed in at one database). */
  query(query: AuditQuery): Promise<AuditRecord[]>;
}

type AuditRow = Omit<AuditRecord, 'rights'> & { rights: string | null };

export class SqlAuditStore implements AuditStore {
  constructor(private readonly db: SqlDatabase) {}

  async append(at: number, e: AuditEntry): Promise<void> {
    await this.db.run('INSERT INTO audit (at, actor, action, cid, rights, outcome, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [at, e.actor, e.action, e.cid ?? null, e.rights ? e.rights.join(',') : null, e.outcome, e.reason ?? null]);
  }

  async recent(limit: number, cid?: string): Promise<AuditRecord[]> {
    return this.query({ cid, limit });
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    // Only the conditions given are in the text, so each can use its index (at, actor, cid); at
    // most sixteen texts, each prepared once.
    const conditions: [string, SqlValue | undefined][] = [['at >= ?', q.since], ['actor = ?', q.actor], ['cid = ?', q.cid], ['id < ?', q.before]];
    const given = conditions.filter(([, value]) => value !== undefined);
    const where = given.length === 0 ? '' : ` WHERE ${given.map(([condition]) => condition).join(' AND ')}`;
    const rows = await this.db.all<AuditRow>(`SELECT * FROM audit${where} ORDER BY id DESC LIMIT ?`, [...given.map(([, value]) => value!), q.limit]);
    return rows.map((r) => ({ ...r, id: Number(r.id), rights: r.rights === null ? null : r.rights.split(',') }));
  }
}
