/**
 * The licensing service's decisions, independent of HTTP: certify a user's key (RAC), let a
 * user publish offline (CLC), publish online (PL), evaluate a PL for a caller and issue a use
 * license or refuse with a reason, revoke content. Every license issued or refused is audited.
 *
 * Before any license is issued for a PL, its content key must unwrap under the PL's own binding
 * (a key or grants spliced from another PL are LICENSE_SPLICED), and the content registry must
 * accept it: the key on record with this content ID and owner, or new and published by an
 * identity still allowed to publish (PUBLISHER_NOT_ALLOWED otherwise).
 *
 * A grant to a group gives its rights to the group's members, resolved at each use license
 * (groups.ts).
 *
 * A PL made from a template (its clear policy names one) is licensed under the template's
 * CURRENT grants and offline days here, plus the PL's own grants to its owner (MSIPC applies
 * the template's rights when it issues the use license): editing a template changes who may open
 * content already protected with it. Its content validity stays the PL's, which clients check
 * offline.
 *
 * What is expensive is cached: verified PLs by their token, and the content key each PL wraps
 * to the service (an RSA private-key operation to unwrap), keyed by the PL's binding and sealed
 * parts, so a busy content ID costs one RSA signature per use license and nothing else of note.
 * A template's rules are read per use license (one indexed read; parsed again only when the
 * template changed), so an edit takes effect at the next one, at every instance on the database.
 * Nothing else is kept in memory: revocation, accounts and the registry are read from the
 * database at every use license, so instances sharing it decide alike.
 */
import { createHash } from 'node:crypto';

import { AsymmetricKey, Jwk, jwkThumbprint } from '../crypto/asymmetric-key';
import * as keyWrap from '../crypto/key-wrap';
import { SecretKey } from '../crypto/secret-key';
import { invalidArgument, RmsError } from '../errors';
import {
  checkValidity, issueClc, issueRac, issueSlc, LicensingUrls, RAC_LIFETIME_SECONDS, RacClaims, verifyRac, VerifiedSlc, verifySlc, verifySuccession,
} from '../license/certificates';
import { contentKeyId } from '../license/content-key-id';
import {
  buildPlClaims, checkContentValidity, Descriptor, Grant, grantedRights, normalizePolicy, openPolicy, Policy, PL_TYPE, publishRequestLabel,
  unwrapPlContentKey, VerifiedPl, verifyPl,
} from '../license/publishing-license';
import { decodeJws, signJwsAsync } from '../license/jws';
import { policyFromTemplate } from '../license/templates';
import { issueUlAsync } from '../license/use-license';
import { Account, Accounts } from './accounts';
import { AuditLog } from './audit-log';
import { ContentRecord, ContentRegistry } from './content-registry';
import { ServiceSettings } from './data-folder';
import { Groups } from './groups';
import { LruCache } from '../lru-cache';
import { Templates } from './templates';

/** The SLC is re-issued at every start with the service's current URLs; it lives ten years. */
const SLC_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;
const CACHE_ENTRIES = 10_000;
/**
 * PLs larger than this (a typical one is 4 KiB) are verified and opened every time rather than
 * cached: a PL may carry nearly 1 MiB of sealed grants, and 10,000 of those opened (claims, key
 * and grants) would hold tens of GiB. Small ones keep both caches under ~160 MiB each.
 */
const MAX_CACHED_PL_LENGTH = 16 * 1024;

export interface PublishRequest {
  rac: string;
  contentId: string;
  /** The content key, wrapped by the client to the SLC's wrapping key (RSA-OAEP-256 or ECDH-ES+A256KW by its type, label = publishRequestLabel(content ID)), base64url. */
  wrappedKey: string;
  template?: string;
  policy?: Policy;
  autoGrantOwner?: boolean;
  descriptors?: Descriptor[];
  signedData?: Record<string, string>;
  encryptedData?: Record<string, string>;
  referralUrl?: string | null;
}

export interface LicensingDeps {
  signingKey: AsymmetricKey;
  wrappingKey: AsymmetricKey;
  /** The key successions leading to `signingKey` (service-keys.ts), carried in the SLC; none before the first rotation. */
  succession?: readonly string[];
  /** Earlier generations' wrapping keys by thumbprint: content published before a rotation is opened with them. */
  retiredWrappingKeys?: ReadonlyMap<string, AsymmetricKey>;
  settings: ServiceSettings;
  templates: Templates;
  content: ContentRegistry;
  accounts: Accounts;
  /** Resolves grants to groups; without it only grants to the caller's own address and to ANYONE count. */
  groups?: Groups;
  audit: AuditLog;
  now: () => number;
}

interface OpenedContent {
  key: SecretKey;
  keyId: string;
  policy: Policy;
  /** For a PL made from a template: its grants to its owner, which the template's current grants do not replace. */
  ownerGrants: Grant[] | null;
  /** In the cache, which closes the key when it forgets the entry; otherwise `release` closes it after the request. */
  cached: boolean;
}

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class Licensing {
  readonly slc: VerifiedSlc;
  private readonly verifiedPls = new LruCache<string, VerifiedPl>(CACHE_ENTRIES);
  private readonly contentCacheKeys = new WeakMap<VerifiedPl, string>();
  private readonly verifiedRacs = new LruCache<string, { claims: RacClaims; userKey: AsymmetricKey }>(CACHE_ENTRIES);
  /** Per PL's binding and sealed parts: the key unwrapped, its ID, and the policy decrypted with it. */
  private readonly contentKeys = new LruCache<string, OpenedContent>(CACHE_ENTRIES, (entry) => entry.key.close());
  /** Every generation's wrapping private key, by thumbprint: the current one and those rotated away from. */
  private readonly wrappingKeys = new Map<string, AsymmetricKey>();
  /** The wrapping private key of the generation of each signing key (by its thumbprint). */
  private readonly wrappingKeyOfSigner = new Map<string, AsymmetricKey>();

  constructor(private readonly d: LicensingDeps, urls: { base: string }) {
    const licensing = `${urls.base}/_wmcs/licensing`;
    const now = d.now();
    const token = issueSlc({
      name: d.settings.name, signingKey: d.signingKey, wrappingKey: d.wrappingKey, succession: d.succession,
      urls: { intranet: licensing, extranet: licensing, certification: `${urls.base}/_wmcs/certification` },
      iat: now, exp: now + SLC_LIFETIME_SECONDS,
    });
    this.slc = verifySlc(token, { pinned: [d.signingKey.thumbprint()] });
    const privateKeys = new Map([...(d.retiredWrappingKeys ?? new Map<string, AsymmetricKey>()), [d.wrappingKey.thumbprint(), d.wrappingKey]]);
    // An online PL's content key is wrapped to the wrapping key of the generation whose signing key signed it.
    for (const generation of verifySuccession(d.succession, { signing: d.signingKey, wrapping: d.wrappingKey }).generations) {
      const key = privateKeys.get(generation.wrap);
      if (key === undefined) throw new RmsError('FILE_NOT_FOUND', `the wrapping key ${generation.wrap} of an earlier key generation is missing`);
      this.wrappingKeys.set(generation.wrap, key);
      this.wrappingKeyOfSigner.set(generation.sign, key);
    }
  }

  get urls(): LicensingUrls {
    return { intranet: this.slc.claims.urls.intranet, extranet: this.slc.claims.urls.extranet };
  }

  close(): void {
    this.contentKeys.clear();
    this.verifiedPls.clear();
    this.verifiedRacs.clear();
  }

  /**
   * Issues a RAC for the caller's public key (made on the caller's device; a private key is
   * refused): RSA of 2048 bits or more, or EC P-256, whatever the service's own keys are.
   */
  async certify(account: Account, jwk: Jwk): Promise<string> {
    let key: AsymmetricKey;
    try {
      key = AsymmetricKey.importJwk(jwk);
    } catch (cause) {
      throw new RmsError('INVALID_ARGUMENT', `key must be a public RSA or EC P-256 JWK: ${(cause as Error).message}`, { argument: 'key', cause });
    }
    if (key.hasPrivate) throw invalidArgument('key', 'a public key only: private keys never leave the device');
    if (key.type === 'rsa' && key.bits < 2048) throw invalidArgument('key', 'an RSA public key of 2048 bits or more, or an EC P-256 one');
    const now = this.d.now();
    const rac = issueRac(this.d.signingKey, { email: account.email, kind: account.kind, userKey: key, iat: now, exp: now + RAC_LIFETIME_SECONDS });
    await this.d.audit.record({ actor: account.email, action: 'certify', outcome: 'issued' });
    return rac;
  }

  /** The caller's RAC, verified and matching the caller. */
  private callerRac(account: Account, rac: unknown): { claims: RacClaims; userKey: AsymmetricKey } {
    if (typeof rac !== 'string') throw invalidArgument('rac', "the caller's rights account certificate");
    // The signature is checked once per RAC; its validity times at every use.
    let verified = this.verifiedRacs.get(rac);
    if (verified === undefined) {
      verified = verifyRac(rac, this.slc, { now: this.d.now() });
      this.verifiedRacs.set(rac, verified);
    } else {
      checkValidity('RAC', verified.claims, { now: this.d.now() });
    }
    if (verified.claims.sub !== account.email) throw new RmsError('ACCESS_DENIED', `the RAC is ${verified.claims.sub}'s, not ${account.email}'s`);
    return verified;
  }

  private checkMayProtect(account: Account): void {
    if (account.kind === 'individual' && !this.d.settings.individualsMayProtect) {
      throw new RmsError('ACCESS_DENIED', 'individual accounts may open protected content here, not protect it');
    }
  }

  /** A CLC for offline publishing, valid as long as the caller's RAC. */
  async issueClc(account: Account, rac: unknown): Promise<string> {
    const { claims, userKey } = this.callerRac(account, rac);
    this.checkMayProtect(account);
    const clc = issueClc(this.d.signingKey, {
      email: account.email, userKey, wrappingKey: this.d.wrappingKey, urls: this.urls, iat: this.d.now(), exp: claims.exp,
    });
    await this.d.audit.record({ actor: account.email, action: 'clc', outcome: 'issued' });
    return clc;
  }

  /**
   * Online publishing: the service signs the PL for the caller, from a template (`template`, by
   * ID or name, or a `policy` naming one) or an explicit policy. Refusals are audited.
   */
  async publish(account: Account, r: PublishRequest): Promise<string> {
    try {
      return await this.publishChecked(account, r);
    } catch (error) {
      const reason = error instanceof RmsError ? error.code : 'SERVICE_ERROR';
      await this.d.audit.record({ actor: account.email, action: 'publish', cid: typeof r.contentId === 'string' ? r.contentId : null, outcome: 'refused', reason });
      throw error;
    }
  }

  private async publishChecked(account: Account, r: PublishRequest): Promise<string> {
    this.callerRac(account, r.rac);
    this.checkMayProtect(account);
    if (typeof r.contentId !== 'string') throw invalidArgument('contentId', 'a UUID');
    if (typeof r.wrappedKey !== 'string') throw invalidArgument('wrappedKey', 'the content key wrapped to the SLC key');
    const now = this.d.now();
    let policy: Policy;
    if (r.template !== undefined) {
      policy = policyFromTemplate(await this.d.templates.usableBy(String(r.template), account.email), now);
    } else if (r.policy !== undefined) {
      policy = normalizePolicy(r.policy);
      // A client's license from a template names it in its policy: the same checks, and the
      // template's ID whatever the client wrote (the PL is licensed by it later).
      if (policy.template !== null) policy = { ...policy, template: (await this.d.templates.usableBy(policy.template, account.email)).id };
    } else {
      throw invalidArgument('policy', 'a policy or a template');
    }
    const contentKey = this.unwrapPublishRequest(r.wrappedKey, r.contentId);
    try {
      const claims = buildPlClaims({
        owner: account.email, policy, contentKey, wrappingKey: this.d.wrappingKey, urls: this.urls, iat: now, contentId: r.contentId,
        descriptors: r.descriptors, referralUrl: r.referralUrl, signedData: r.signedData, encryptedData: r.encryptedData,
        autoGrantOwner: r.autoGrantOwner,
      }, this.d.signingKey, null);
      const keyId = contentKeyId(contentKey);
      // The service signs a PL only for a content ID and a key it has not seen: it never lends its signature to a copy.
      if ((await this.d.content.records(claims.cid)).length > 0 || (await this.d.content.find(keyId)) !== null) {
        throw new RmsError('CONFLICT', `content ID ${claims.cid} or its key is already in use`);
      }
      const pl = await signJwsAsync(claims, this.d.signingKey, PL_TYPE);
      await this.d.content.admit({ keyId, cid: claims.cid, owner: account.email });
      await this.d.audit.record({ actor: account.email, action: 'publish', cid: claims.cid, outcome: 'issued' });
      return pl;
    } finally {
      contentKey.close();
    }
  }

  /**
   * The content key of a publishing request, wrapped to the current wrapping key or, by a client
   * that has not yet seen the SLC of a key rotation, to an earlier one (tried after it).
   */
  private unwrapPublishRequest(wrappedKey: string, contentId: string): SecretKey {
    const wrapped = Buffer.from(wrappedKey, 'base64url');
    let failure: unknown;
    for (const key of [this.d.wrappingKey, ...this.wrappingKeys.values()]) {
      try {
        return keyWrap.unwrapKey(key, wrapped, { label: publishRequestLabel(contentId) });
      } catch (cause) {
        failure ??= cause;
      }
    }
    throw new RmsError('INVALID_ARGUMENT', 'wrappedKey does not unwrap with this service\'s key and content ID', { argument: 'wrappedKey', cause: failure });
  }

  /**
   * The wrapping private key `pl`'s content key was wrapped to: the one its CLC carries (offline
   * publishing), else the one of the generation of the signing key that signed it.
   */
  private wrappingKeyFor(pl: VerifiedPl): AsymmetricKey {
    const key = pl.publishedOffline
      ? this.wrappingKeys.get(jwkThumbprint(decodeJws<{ wrap: Jwk }>(pl.claims.clc!).payload.wrap))
      : this.wrappingKeyOfSigner.get(decodeJws(pl.token).header.kid);
    // verifyPl accepted the PL against this service's SLC, which names only keys it holds.
    if (key === undefined) throw new RmsError('BROKEN_CERT_CHAIN', `content ${pl.claims.cid} is wrapped to a key this service does not hold`);
    return key;
  }

  private plFor(token: unknown): VerifiedPl {
    if (typeof token !== 'string') throw invalidArgument('pl', 'a publishing license');
    const key = tokenKey(token);
    let pl = this.verifiedPls.get(key);
    if (pl === undefined) {
      pl = verifyPl(token, this.slc, { now: this.d.now(), refuseFutureIssue: true });
      if (token.length <= MAX_CACHED_PL_LENGTH) this.verifiedPls.set(key, pl);
    }
    return pl;
  }

  /**
   * Where a PL's opened content is cached. The binding is part of it: the same `ck` and `egr`
   * under other claims must be unwrapped (and fail) again. Computed once per verified PL (those
   * are cached too), not on every request.
   */
  private contentCacheKey(pl: VerifiedPl): string {
    let key = this.contentCacheKeys.get(pl);
    if (key === undefined) {
      key = tokenKey(`${pl.binding}.${pl.claims.ck}.${pl.claims.egr}`);
      this.contentCacheKeys.set(pl, key);
    }
    return key;
  }

  /** The PL's content key, unwrapped under the PL's own binding, its ID, and the grants opened with it. */
  private contentKeyFor(pl: VerifiedPl): OpenedContent {
    const cacheKey = pl.token.length <= MAX_CACHED_PL_LENGTH ? this.contentCacheKey(pl) : null;
    let entry = cacheKey === null ? undefined : this.contentKeys.get(cacheKey);
    if (entry === undefined) {
      const key = unwrapPlContentKey(pl, this.wrappingKeyFor(pl));
      try {
        entry = this.openedContent(pl, key, cacheKey !== null);
      } catch (error) {
        key.close();
        throw error;
      }
      if (cacheKey !== null) this.contentKeys.set(cacheKey, entry);
    }
    return entry;
  }

  /** What `openPolicy` gives, and the owner's own grants when the policy comes from a template. */
  private openedContent(pl: VerifiedPl, key: SecretKey, cached: boolean): OpenedContent {
    const policy = openPolicy(pl.claims, key);
    const ownerGrants = policy.template === null ? null : policy.grants.filter((g) => g.who === pl.claims.own);
    return { key, keyId: contentKeyId(key), policy, ownerGrants, cached };
  }

  /** Closes the key of content opened for one request only. */
  private release(content: OpenedContent): void {
    if (!content.cached) content.key.close();
  }

  /**
   * The registry's record of the PL's content: its key on record under this content ID and
   * owner, or recorded now. Content first seen after its publisher was disabled or removed, or
   * while its publisher is an individual who may not protect here, is PUBLISHER_NOT_ALLOWED
   * (what the service saw before keeps working).
   */
  private admit(pl: VerifiedPl, content: OpenedContent): Promise<ContentRecord> {
    const owner = pl.claims.own;
    return this.d.content.admit({ keyId: content.keyId, cid: pl.claims.cid, owner }, async () => {
      const state = await this.d.accounts.state(owner);
      if (state !== 'active') {
        throw new RmsError('PUBLISHER_NOT_ALLOWED', `content ${pl.claims.cid} was first seen after its publisher ${owner} was ${state}`);
      }
      // A CLC outlives a change of kind: one issued while its holder was an organization user (or
      // while individuals could protect) must not go on publishing once they may not.
      if ((await this.d.accounts.find(owner))?.kind === 'individual' && !this.d.settings.individualsMayProtect) {
        throw new RmsError('PUBLISHER_NOT_ALLOWED', `content ${pl.claims.cid} was first seen while its publisher ${owner} is an individual, who may not protect here`);
      }
      // An address removed and added again is a new account: a CLC issued to the one before
      // (a person who left, say) publishes nothing new under it.
      const created = await this.d.accounts.createdAt(owner);
      const clcIssued = pl.publishedOffline ? decodeJws<{ iat?: unknown }>(pl.claims.clc!).payload.iat : null;
      // Both times are this service's clock: no skew to allow for.
      if (created !== null && typeof clcIssued === 'number' && clcIssued < created) {
        throw new RmsError('PUBLISHER_NOT_ALLOWED', `content ${pl.claims.cid} was published with a CLC issued before the account ${owner} was created`);
      }
      // Published offline from a template: as if the owner had asked the service to publish at
      // the PL's issue time (the template known here, its audience naming the owner, not archived by then).
      // The signer dates the PL, within the clock skew its CLC is checked with; no PL was issued
      // before its CLC, so a date before the CLC's does not slip under an archive time.
      const template = pl.claims.pol.template;
      if (template !== null) await this.d.templates.checkPublishedOffline(template, owner, Math.max(pl.claims.iat, typeof clcIssued === 'number' ? clcIssued : 0));
    });
  }

  /** The policy a use license applies: the PL's own, or for a template's PL the template's current rules and the owner's grants. */
  private async effectivePolicy(content: OpenedContent): Promise<Policy> {
    if (content.ownerGrants === null) return content.policy;
    const rules = await this.d.templates.rulesOf(content.policy.template!);
    return {
      template: content.policy.template, grants: [...rules.grants, ...content.ownerGrants],
      contentValidUntil: content.policy.contentValidUntil, offlineDays: rules.offlineDays,
    };
  }

  /**
   * The policy that applies to `pl` and the rights the caller holds under it (super users hold
   * OWNER), refusing when there are none.
   */
  private async evaluate(account: Account, pl: VerifiedPl, content: OpenedContent): Promise<{ policy: Policy; rights: string[] }> {
    const record = await this.admit(pl, content);
    if (record.revokedAt !== null) throw new RmsError('CONTENT_REVOKED', `content ${pl.claims.cid} was revoked`);
    checkContentValidity(pl.claims.pol, { now: this.d.now() });
    const policy = await this.effectivePolicy(content);
    const rights = account.superUser ? ['OWNER']
      : this.d.groups === undefined ? grantedRights(policy, account.email) : await this.d.groups.rightsOf(policy, account);
    if (rights.length === 0) throw new RmsError('RIGHT_NOT_GRANTED', `${account.email} holds no right on content ${pl.claims.cid}`);
    return { policy, rights };
  }

  /** Issues the caller a use license for `pl`, or refuses with the reason; either way audited. */
  async issueUseLicense(account: Account, request: { pl: unknown; rac: unknown }): Promise<string> {
    let cid: string | null = null;
    let rights: string[] | null = null;
    try {
      const rac = this.callerRac(account, request.rac);
      const pl = this.plFor(request.pl);
      cid = pl.claims.cid;
      const content = this.contentKeyFor(pl);
      let ul: string;
      try {
        const evaluated = await this.evaluate(account, pl, content);
        rights = evaluated.rights;
        ul = await issueUlAsync(this.d.signingKey, {
          pl, user: account.email, racKey: rac.userKey, rights, contentKey: content.key, policy: evaluated.policy, iat: this.d.now(),
        });
      } finally {
        this.release(content);
      }
      // Committed before the license is answered: a license a client holds is on record.
      await this.d.audit.record({ actor: account.email, action: 'use-license', cid, rights, outcome: 'issued' });
      return ul;
    } catch (error) {
      const reason = error instanceof RmsError ? error.code : 'SERVICE_ERROR';
      await this.d.audit.record({ actor: account.email, action: 'use-license', cid, rights, outcome: 'refused', reason });
      throw error;
    }
  }

  /** Records content the caller published offline, so it can be revoked by ID later. */
  async register(account: Account, plToken: unknown): Promise<{ cid: string; owner: string }> {
    const pl = this.plFor(plToken);
    const content = this.contentKeyFor(pl);
    let record: ContentRecord;
    try {
      record = await this.admit(pl, content);
    } finally {
      this.release(content);
    }
    await this.d.audit.record({ actor: account.email, action: 'register', cid: pl.claims.cid, outcome: 'done' });
    return { cid: record.cid, owner: record.owner };
  }

  /**
   * Revokes a content ID: its owner (their own publication of it) or an administrator (every
   * publication of it).
   */
  async revoke(account: Account, cid: string, plToken?: unknown): Promise<{ cid: string; revokedAt: number }> {
    if (plToken !== undefined) await this.register(account, plToken);
    const records = await this.d.content.records(cid);
    if (records.length === 0) throw new RmsError('NOT_FOUND', `content ${cid} is not known to this service; send its PL`);
    if (!account.admin && !records.some((r) => r.owner === account.email)) {
      await this.d.audit.record({ actor: account.email, action: 'revoke', cid, outcome: 'refused', reason: 'ACCESS_DENIED' });
      throw new RmsError('ACCESS_DENIED', `only the owner or an administrator may revoke content ${cid}`);
    }
    const revoked = await this.d.content.revoke(cid, account.admin ? null : account.email, account.email);
    await this.d.audit.record({ actor: account.email, action: 'revoke', cid, outcome: 'done' });
    return { cid, revokedAt: Math.max(...revoked.map((r) => r.revokedAt ?? 0)) };
  }
}
