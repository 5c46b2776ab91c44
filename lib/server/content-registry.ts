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
import { ContentRecord, ContentStore } from './storage/content-store';

export type { ContentRecord };

/** What a PL says of its content: its key's fingerprint, content ID and owner. */
export interface ContentClaim {
  keyId: string;
  cid: string;
  owner: string;
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
  constructor(private readonly store: ContentStore, private readonly now: () => number) {}

  /** Every content recorded under `cid` (usually one). */
  records(cid: string): Promise<ContentRecord[]> {
    return this.store.byContentId(cid);
  }

  /** The record of a content key, or null when the service has never seen it. */
  find(keyId: string): Promise<ContentRecord | null> {
    return this.store.find(keyId);
  }

  /**
   * The record of the content a PL claims, read fresh (revocation shows at once). A key on record
   * under another content ID or owner is LICENSE_SPLICED. A key never seen is recorded, after
   * `mayRegister` accepts it (it throws to refuse; nothing is recorded then).
   */
  async admit(claim: ContentClaim, mayRegister: () => Promise<void> = async () => {}): Promise<ContentRecord> {
    const known = await this.find(claim.keyId);
    if (known !== null) return matching(known, claim);
    await mayRegister();
    // Another request, or another service on the same database, may have recorded the key since
    // it was read above: then its record decides, as if it had been read above.
    await this.store.addIfNew({ keyId: claim.keyId, cid: claim.cid, owner: claim.owner, registeredAt: this.now() });
    return matching((await this.find(claim.keyId))!, claim);
  }

  /** Revokes `owner`'s content recorded under `cid`, or every content under it when `owner` is null (administrators). */
  async revoke(cid: string, owner: string | null, by: string): Promise<ContentRecord[]> {
    await this.store.revoke(cid, owner, by, this.now());
    return (await this.records(cid)).filter((r) => owner === null || r.owner === owner);
  }
}
