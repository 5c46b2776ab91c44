/** The audit log's rows (audit-log.ts says what is recorded): only ever inserted; read newest first, by page. */
import { RmsError } from '../../errors';
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

/** Rows one INSERT carries at most (7 parameters each: far under SQLite's and PostgreSQL's caps). */
const MAX_ROWS_PER_INSERT = 64;

interface PendingRow {
  values: SqlValue[];
  committed: () => void;
  failed: (error: unknown) => void;
}

/** `INSERT ... VALUES (...), (...)` for `rows` rows: one text per batch size, each prepared once. */
function insertRows(rows: number): string {
  return `INSERT INTO audit (at, actor, action, cid, rights, outcome, reason) VALUES ${new Array<string>(rows).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
}

/**
 * Entries appended while the event loop is busy with other requests are committed together, in
 * one INSERT at the end of the loop's turn: on SQLite a commit costs far more than a row (50 us
 * against 6 per row in a batch of 32, measured), on PostgreSQL a round trip does. Each append
 * still resolves only once its own row is committed, so nothing a client is answered about is
 * missing from the log; when the database refuses a batch, its rows are tried one by one, so a
 * row it refuses fails its own request only.
 */
export class SqlAuditStore implements AuditStore {
  private pending: PendingRow[] = [];

  constructor(private readonly db: SqlDatabase) {}

  append(at: number, e: AuditEntry): Promise<void> {
    return new Promise((committed, failed) => {
      this.pending.push({ values: [at, e.actor, e.action, e.cid ?? null, e.rights ? e.rights.join(',') : null, e.outcome, e.reason ?? null], committed, failed });
      if (this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  /** Commits what is pending, MAX_ROWS_PER_INSERT rows at a time. */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    for (let start = 0; start < batch.length; start += MAX_ROWS_PER_INSERT) {
      const rows = batch.slice(start, start + MAX_ROWS_PER_INSERT);
      try {
        await this.db.run(insertRows(rows.length), rows.flatMap((row) => row.values));
        for (const row of rows) row.committed();
      } catch (error) {
        // One row the database refuses must not fail the others' requests: each on its own. A
        // database that is out of reach or gave up (SERVICE_UNAVAILABLE) would refuse them all,
        // each after its own timeout: they fail together at once.
        if (rows.length === 1 || (error instanceof RmsError && error.code === 'SERVICE_UNAVAILABLE')) for (const row of rows) row.failed(error);
        else for (const row of rows) await this.db.run(insertRows(1), row.values).then(row.committed, row.failed);
      }
    }
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
