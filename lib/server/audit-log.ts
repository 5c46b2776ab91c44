/**
 * The audit log: every license issued or refused, every certificate, template change and
 * revocation, with who asked, for which content, which rights, the outcome and when. Rows are
 * only ever inserted; `openrms` never updates or deletes them. An entry is committed before the
 * request it records is answered, so a license a client received is on record even if the
 * service is killed right after.
 */
import { invalidArgument } from '../errors';
import { AuditEntry, AuditQuery, AuditRecord, AuditStore } from './storage/audit-store';

export type { AuditEntry, AuditOutcome, AuditQuery, AuditRecord } from './storage/audit-store';

/** The most entries one query answers (`openrms audit --limit`): a larger log is read page by page. */
export const MAX_AUDIT_PAGE = 10_000;

const CONTENT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export class AuditLog {
  constructor(private readonly store: AuditStore, private readonly now: () => number) {}

  /**
   * Records `e`. A content ID is kept only when it is one (a UUID): a refused request's content ID
   * is whatever the caller sent, and a megabyte of it must not reach the log (nor fail the insert
   * on PostgreSQL's index, turning a refusal into an unaudited 500).
   */
  record(e: AuditEntry): Promise<void> {
    const cid = e.cid === null || e.cid === undefined || CONTENT_ID.test(e.cid) ? e.cid : null;
    return this.store.append(this.now(), { ...e, cid });
  }

  /** The most recent entries first, optionally for one content ID. */
  recent(limit = 100, cid?: string): Promise<AuditRecord[]> {
    return this.store.recent(limit, cid);
  }

  /**
   * The entries matching `query`, newest first, at most `limit` (1 to MAX_AUDIT_PAGE). For the
   * next page, ask again with `before` the last entry's `id`.
   */
  query(query: AuditQuery): Promise<AuditRecord[]> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_AUDIT_PAGE) throw invalidArgument('limit', `an integer from 1 to ${MAX_AUDIT_PAGE}`);
    return this.store.query(query);
  }
}
