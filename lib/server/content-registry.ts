/**
 * What the service knows of content it licenses: who owns each content ID (learnt from the
 * first PL it sees, online publishing or the first use-license request) and whether it is
 * revoked. Revoked content gets no new use license; licenses already cached stay usable offline
 * until they expire, which is why offline intervals should be short for sensitive content.
 */
import { RmsError } from '../errors';
import { Db } from './database';

export interface ContentRecord {
  cid: string;
  owner: string;
  registeredAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
}

interface ContentRow {
  cid: string;
  owner: string;
  registered_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
}

export class ContentRegistry {
  constructor(private readonly db: Db, private readonly now: () => number) {}

  find(cid: string): ContentRecord | null {
    const row = this.db.prepare('SELECT * FROM content WHERE cid = ?').get(cid) as ContentRow | undefined;
    return row === undefined ? null : {
      cid: row.cid, owner: row.owner, registeredAt: row.registered_at, revokedAt: row.revoked_at, revokedBy: row.revoked_by,
    };
  }

  /** Records `cid` as `owner`'s unless already known; returns the record. */
  register(cid: string, owner: string): ContentRecord {
    this.db.prepare('INSERT INTO content (cid, owner, registered_at) VALUES (?, ?, ?) ON CONFLICT (cid) DO NOTHING').run(cid, owner, this.now());
    return this.find(cid)!;
  }

  revoke(cid: string, by: string): ContentRecord {
    const changed = this.db.prepare('UPDATE content SET revoked_at = ?, revoked_by = ? WHERE cid = ? AND revoked_at IS NULL').run(this.now(), by, cid);
    const record = this.find(cid);
    if (record === null) throw new RmsError('NOT_FOUND', `content ${cid} is not known to this service`);
    if (changed.changes === 0 && record.revokedAt === null) throw new RmsError('SERVICE_ERROR', `content ${cid} could not be revoked`);
    return record;
  }
}
