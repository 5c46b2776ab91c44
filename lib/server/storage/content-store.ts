/** The content registry's rows (content-registry.ts says what they mean): one per content key. */
import { SqlDatabase } from './sql-database';

export interface ContentRecord {
  /** Fingerprint of the content key (contentKeyId). */
  keyId: string;
  cid: string;
  owner: string;
  registeredAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
}

export interface ContentStore {
  find(keyId: string): Promise<ContentRecord | null>;
  /** Every content recorded under `cid`, the first registered first. */
  byContentId(cid: string): Promise<ContentRecord[]>;
  /** Records a key not yet on record; a key on record (another service's, just now) keeps its record. */
  addIfNew(record: Pick<ContentRecord, 'keyId' | 'cid' | 'owner' | 'registeredAt'>): Promise<void>;
  /** Marks as revoked what is recorded under `cid` (`owner`'s only, unless null) and not revoked yet. */
  revoke(cid: string, owner: string | null, by: string, at: number): Promise<void>;
}

interface ContentRow {
  key_id: string;
  cid: string;
  owner: string;
  registered_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
}

function toRecord(row: ContentRow): ContentRecord {
  return {
    keyId: row.key_id, cid: row.cid, owner: row.owner, registeredAt: row.registered_at, revokedAt: row.revoked_at, revokedBy: row.revoked_by,
  };
}

export class SqlContentStore implements ContentStore {
  constructor(private readonly db: SqlDatabase) {}

  async find(keyId: string): Promise<ContentRecord | null> {
    const row = await this.db.get<ContentRow>('SELECT * FROM content WHERE key_id = ?', [keyId]);
    return row === undefined ? null : toRecord(row);
  }

  async byContentId(cid: string): Promise<ContentRecord[]> {
    return (await this.db.all<ContentRow>('SELECT * FROM content WHERE cid = ? ORDER BY registered_at, key_id', [cid])).map(toRecord);
  }

  async addIfNew(r: Pick<ContentRecord, 'keyId' | 'cid' | 'owner' | 'registeredAt'>): Promise<void> {
    await this.db.run('INSERT INTO content (key_id, cid, owner, registered_at) VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING',
      [r.keyId, r.cid, r.owner, r.registeredAt]);
  }

  async revoke(cid: string, owner: string | null, by: string, at: number): Promise<void> {
    if (owner === null) {
      await this.db.run('UPDATE content SET revoked_at = ?, revoked_by = ? WHERE cid = ? AND revoked_at IS NULL', [at, by, cid]);
    } else {
      await this.db.run('UPDATE content SET revoked_at = ?, revoked_by = ? WHERE cid = ? AND owner = ? AND revoked_at IS NULL', [at, by, cid, owner]);
    }
  }
}
