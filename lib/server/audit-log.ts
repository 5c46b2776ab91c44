/**
 * The audit log: every license issued or refused, every certificate, template change and
 * revocation, with who asked, for which content, which rights, the outcome and when. Rows are
 * only ever inserted; `openrms` never updates or deletes them.
 */
import { Db } from './database';

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

export class AuditLog {
  private readonly insert;

  constructor(private readonly db: Db, private readonly now: () => number) {
    this.insert = db.prepare('INSERT INTO audit (at, actor, action, cid, rights, outcome, reason) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  record(e: AuditEntry): void {
    this.insert.run(this.now(), e.actor, e.action, e.cid ?? null, e.rights ? e.rights.join(',') : null, e.outcome, e.reason ?? null);
  }

  /** The most recent entries first, optionally for one content ID. */
  recent(limit = 100, cid?: string): AuditRecord[] {
    const rows = (cid === undefined
      ? this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit)
      : this.db.prepare('SELECT * FROM audit WHERE cid = ? ORDER BY id DESC LIMIT ?').all(cid, limit)) as
      { id: number; at: number; actor: string; action: string; cid: string | null; rights: string | null; outcome: AuditOutcome; reason: string | null }[];
    return rows.map((r) => ({ ...r, rights: r.rights === null ? null : r.rights.split(',') }));
  }
}
