/**
 * The audit log: every license issued or refused, every certificate, template change and
 * revocation, with who asked, for which content, which rights, the outcome and when. Rows are
 * only ever inserted; `openrms` never updates or deletes them. An entry is committed before the
 * request it records is answered, so a license a client received is on record even if the
 * service is killed right after.
 */
import { AuditEntry, AuditRecord, AuditStore } from './storage/audit-store';

export type { AuditEntry, AuditOutcome, AuditRecord } from './storage/audit-store';

export class AuditLog {
  constructor(private readonly store: AuditStore, private readonly now: () => number) {}

  record(e: AuditEntry): Promise<void> {
    return this.store.append(this.now(), e);
  }

  /** The most recent entries first, optionally for one content ID. */
  recent(limit = 100, cid?: string): Promise<AuditRecord[]> {
    return this.store.recent(limit, cid);
  }
}
