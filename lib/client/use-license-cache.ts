/**
 * The use licenses a client keeps for offline use, per service, content ID and owner
 * (`services/<service ID>/licenses/<content ID>_<owner tag>.jws`, the tag 16 bytes of the
 * owner's SHA-256): content IDs are chosen by publishers, so two owners' contents may share one,
 * and opening one must not evict the other's license. A cached UL is used only while it is
 * authentic, for this PL's content and owner, for this device's key and inside its validity;
 * anything else is dropped (and fetched again when online). One issued after the current time
 * means the clock went back: CLOCK_ROLL_BACK_DETECTED.
 */
import { CLOCK_SKEW_SECONDS } from '../license/certificates';
import { decodeJws } from '../license/jws';
import { PlClaims } from '../license/publishing-license';
import { checkUlTimes, UlClaims, VerifiedUl, verifyUl } from '../license/use-license';
import { ClientStore } from '../store/client-store';
import { sha256 } from '../crypto/digest';
import { RmsError } from '../errors';
import { ServiceSession } from './service-session';
import { VerifiedTokenCache } from './verified-token-cache';

/** The cache entry's name for a PL's content: its content ID and a tag of its owner. */
export function useLicenseName(pl: Pick<PlClaims, 'cid' | 'own'>): string {
  return `${pl.cid}_${sha256(Buffer.from(pl.own, 'utf8')).subarray(0, 16).toString('base64url')}`;
}

/** A cached UL this cache verified, with the file stamp it was read at and the SLC it was verified under. */
interface RememberedUl {
  stamp: string;
  slc: ServiceSession['slc'];
  ul: VerifiedUl;
}

export class UseLicenseCache {
  /**
   * ULs read and verified lately (a thousand, 4 MiB of text at most: VerifiedTokenCache), by
   * service and name: an item opened again whose file has the same stamp
   * (ClientStore.useLicenseStamp) is not read, decoded and verified again. What depends on the
   * moment, its validity times, is checked at every use.
   */
  private readonly remembered = new VerifiedTokenCache<RememberedUl>((known) => known.ul.token);

  constructor(private readonly store: ClientStore, private readonly now: () => number) {}

  /** A cached use license for this PL at `session`, if one is usable now. */
  find(session: ServiceSession, pl: PlClaims): VerifiedUl | null {
    const name = useLicenseName(pl);
    const stamp = this.store.useLicenseStamp(session.serviceId, name);
    if (stamp === null) return null;
    const id = `${session.serviceId}/${name}`;
    const known = this.remembered.get(id);
    let ul: VerifiedUl;
    try {
      if (known !== undefined && known.stamp === stamp && known.slc === session.slc) {
        ul = known.ul;
      } else {
        const token = this.store.loadUseLicense(session.serviceId, name);
        if (token === null) return null;
        // Authentic first (checked at its own issue time), so a forged file cannot raise the alarm.
        ul = verifyUl(token, session.slc, session.identity, { now: decodeJws<UlClaims>(token).payload.iat, ignoreLicenseExpiry: true });
        this.remembered.set(id, { stamp, slc: session.slc, ul });
      }
      if (ul.claims.cid !== pl.cid || ul.claims.own !== pl.own || ul.claims.rac !== session.deviceKey().thumbprint()) {
        throw new RmsError('BROKEN_CERT_CHAIN', 'the cached license is for other content or another key');
      }
    } catch {
      this.remembered.delete(id);
      this.store.dropUseLicense(session.serviceId, name);
      return null;
    }
    if (ul.claims.iat > this.now() + CLOCK_SKEW_SECONDS) {
      throw new RmsError('CLOCK_ROLL_BACK_DETECTED',
        `the clock is before the issue time of the cached license for ${pl.cid} (${new Date(ul.claims.iat * 1000).toISOString()})`, { serviceUrl: session.url });
    }
    try {
      checkUlTimes(ul.claims, { now: this.now() });
    } catch {
      this.store.dropUseLicense(session.serviceId, name);
      return null;
    }
    return ul;
  }

  /**
   * Keeps a UL just received, unless it allows no offline use, or the service's clock is ahead of
   * ours (it would look like a roll-back the next time).
   */
  keep(session: ServiceSession, ul: VerifiedUl): void {
    const { claims } = ul;
    if (claims.exp > claims.iat && claims.iat <= this.now() + CLOCK_SKEW_SECONDS) {
      this.store.saveUseLicense(session.serviceId, useLicenseName({ cid: claims.cid, own: claims.own }), ul.token);
    }
  }
}
