/**
 * What the service knows of content it licenses: each (content ID, owner) pair it has seen, from
 * online publishing or the first use-license request, and whether it is revoked. The pair is
 * the key because a content ID is chosen by whoever publishes and is readable in every
 * protected file: someone else publishing a PL with a copied content ID registers their own
 * pair and can revoke only that, never the real owner's. Revoked content gets no new use
 * license; licenses already cached stay usable offline until they expire, which is why
 * offline intervals should be short for sensitive content.
 */
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

function toRecord(row: ContentRow): ContentRecord {
  return { cid: row.cid, owner: row.owner, registeredAt: row.registered_at, revokedAt: row.revoked_at, revokedBy: row.revoked_by };
}

export class ContentRegistry {
  // Prepared once: register() runs on every use-license request.
  private readonly select;
  private readonly insert;
  private readonly selectAll;

  constructor(private readonly db: Db, private readonly now: () => number) {
    this.select = db.prepare('SELECT * FROM content WHERE cid = ? AND owner = ?');
    this.insert = db.prepare('INSERT INTO content (cid, owner, registered_at) VALUES (?, ?, ?) ON CONFLICT (cid, owner) DO NOTHING');
    this.selectAll = db.prepare('SELECT * FROM content WHERE cid = ? ORDER BY registered_at');
  }

  /** Every owner's record of `cid` (usually one). */
  records(cid: string): ContentRecord[] {
    return (this.selectAll.all(cid) as ContentRow[]).map(toRecord);
  }

  /** Records `cid` as `owner`'s unless already known; returns the record (read fresh: revocation shows at once). */
  register(cid: string, owner: string): ContentRecord {
    let row = this.select.get(cid, owner) as ContentRow | undefined;
    if (row === undefined) {
      this.insert.run(cid, owner, this.now());
      row = this.select.get(cid, owner) as ContentRow;
    }
    return toRecord(row);
  }

  /** Revokes `owner`'s record of `cid`, or every record of it when `owner` is null (administrators). */
  revoke(cid: string, owner: string | null, by: string): ContentRecord[] {
    if (owner === null) {
      this.db.prepare('UPDATE content SET revoked_at = ?, revoked_by = ? WHERE cid = ? AND revoked_at IS NULL').run(this.now(), by, cid);
    } else {
      this.db.prepare('UPDATE content SET revoked_at = ?, revoked_by = ? WHERE cid = ? AND owner = ? AND revoked_at IS NULL').run(this.now(), by, cid, owner);
    }
    return this.records(cid).filter((r) => owner === null || r.owner === owner);
  }
}
