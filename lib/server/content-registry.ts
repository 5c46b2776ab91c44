/**
 * What the service knows of the content it licenses (docs/protocol.md, "Content registry").
 * Content is known by its **content key**: each row is one key's fingerprint, the content ID and
 * owner it was first seen with, and whether it is revoked. Every PL carrying that key must name
 * the same content ID and owner, or it is LICENSE_SPLICED; so a recipient who holds the key (VIEW
 * is enough to unwrap it) cannot republish it under his own name or under a new content ID, and
 * revoking the content reaches every PL that carries its key.
 *
 * The content ID alone is not the key because it is chosen by whoever publishes and readable in
 * every protected file: keyed by ID, anyone who saw a file before its first use could register
 * its ID first and lock the real owner out. Two different keys under one ID are two different
 * contents (someone reusing an ID can only protect their own plaintext under it); revoking by ID
 * reaches the caller's own (an administrator's: every) content with that ID.
 *
 * Revoked content gets no new use license; licenses already cached stay usable offline until
 * they expire, which is why offline intervals should be short for sensitive content.
 */
import { RmsError } from '../errors';
import { Db } from './database';

export interface ContentRecord {
  /** Fingerprint of the content key (contentKeyId). */
  keyId: string;
  cid: string;
  owner: string;
  registeredAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
}

/** What a PL says of its content: its key's fingerprint, content ID and owner. */
export interface ContentClaim {
  keyId: string;
  cid: string;
  owner: string;
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

/** The record of a content key, when the claim names its content ID and owner; LICENSE_SPLICED otherwise. */
function matching(known: ContentRecord, claim: ContentClaim): ContentRecord {
  if (known.cid !== claim.cid || known.owner !== claim.owner) {
    throw new RmsError('LICENSE_SPLICED', `this content key is on record as ${known.owner}'s content ${known.cid}; `
      + `a license naming ${claim.owner} and content ${claim.cid} cannot carry it`);
  }
  return known;
}

export class ContentRegistry {
  // Prepared once: admit() runs on every use-license request.
  private readonly selectKey;
  private readonly insert;
  private readonly selectCid;

  constructor(private readonly db: Db, private readonly now: () => number) {
    this.selectKey = db.prepare('SELECT * FROM content WHERE key_id = ?');
    this.insert = db.prepare('INSERT INTO content (key_id, cid, owner, registered_at) VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING');
    this.selectCid = db.prepare('SELECT * FROM content WHERE cid = ? ORDER BY registered_at');
  }

  /** Every content recorded under `cid` (usually one). */
  records(cid: string): ContentRecord[] {
    return (this.selectCid.all(cid) as ContentRow[]).map(toRecord);
  }

  /** The record of a content key, or null when the service has never seen it. */
  find(keyId: string): ContentRecord | null {
    const row = this.selectKey.get(keyId) as ContentRow | undefined;
    return row === undefined ? null : toRecord(row);
  }

  /**
   * The record of the content a PL claims, read fresh (revocation shows at once). A key on record
   * under another content ID or owner is LICENSE_SPLICED. A key never seen is recorded, after
   * `mayRegister` accepts it (it throws to refuse; nothing is recorded then).
   */
  admit(claim: ContentClaim, mayRegister: () => void = () => {}): ContentRecord {
    const known = this.find(claim.keyId);
    if (known !== null) return matching(known, claim);
    mayRegister();
    // Nothing in this process runs between the read above and this insert (better-sqlite3 is
    // synchronous), but another service on the same database may have recorded the key since:
    // then its record decides, as if it had been read above.
    this.insert.run(claim.keyId, claim.cid, claim.owner, this.now());
    return matching(this.find(claim.keyId)!, claim);
  }

  /** Revokes `owner`'s content recorded under `cid`, or every content under it when `owner` is null (administrators). */
  revoke(cid: string, owner: string | null, by: string): ContentRecord[] {
    if (owner === null) {
      this.db.prepare('UPDATE content SET revoked_at = ?, revoked_by = ? WHERE cid = ? AND revoked_at IS NULL').run(this.now(), by, cid);
    } else {
      this.db.prepare('UPDATE content SET revoked_at = ?, revoked_by = ? WHERE cid = ? AND owner = ? AND revoked_at IS NULL').run(this.now(), by, cid, owner);
    }
    return this.records(cid).filter((r) => owner === null || r.owner === owner);
  }
}
