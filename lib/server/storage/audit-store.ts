/** The audit log's rows (audit-log.ts says what is recorded): only ever inserted. */
import { SqlDatabase } from './sql-database';

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

export interface AuditStore {
  /** Resolves once the entry is committed: a caller answers only after that, so what a client was told is on record. */
  append(at: number, entry: AuditEntry): Promise<void>;
  /** The most recent entries first, optionally for one content ID. */
  recent(limit: number, cid?: string): Promise<AuditRecord[]>;
}

type AuditRow = Omit<AuditRecord, 'rights'> & { rights: string | null };

export class SqlAuditStore implements AuditStore {
  constructor(private readonly db: SqlDatabase) {}

  async append(at: number, e: AuditEntry): Promise<void> {
    await this.db.run('INSERT INTO audit (at, actor, action, cid, rights, outcome, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [at, e.actor, e.action, e.cid ?? null, e.rights ? e.rights.join(',') : null, e.outcome, e.reason ?? null]);
  }

  async recent(limit: number, cid?: string): Promise<AuditRecord[]> {
    const rows = cid === undefined
      ? await this.db.all<AuditRow>('SELECT * FROM audit ORDER BY id DESC LIMIT ?', [limit])
      : await this.db.all<AuditRow>('SELECT * FROM audit WHERE cid = ? ORDER BY id DESC LIMIT ?', [cid, limit]);
    return rows.map((r) => ({ ...r, rights: r.rights === null ? null : r.rights.split(',') }));
  }
}
