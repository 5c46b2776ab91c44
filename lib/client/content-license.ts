/**
 * What a user holds once a publishing license is opened for them: the content key (in native
 * memory), the rights granted, and the license's facts. MSIPC's IpcGetKey result, with
 * IpcAccessCheck as `accessCheck`.
 */
import { SecretKey } from '../crypto/secret-key';
import { RmsError } from '../errors';
import { openAppData, PlClaims, Policy } from '../license/publishing-license';
import { hasRight } from '../license/rights';
import { UlClaims } from '../license/use-license';

export class ContentLicense {
  readonly contentId: string;
  readonly owner: string;
  /** The rights granted to this user (OWNER implies every right). */
  readonly rights: readonly string[];
  /** Until when this license may be used without asking the service again. */
  readonly licenseValidUntil: Date;
  readonly contentValidUntil: Date | null;
  /** The full policy, for the owner or a holder of VIEWRIGHTSDATA; null otherwise. */
  readonly policy: Policy | null;
  readonly signedData: Readonly<Record<string, string>>;
  /** Whether the use license came from the store rather than the service. */
  readonly fromCache: boolean;

  constructor(readonly contentKey: SecretKey, private readonly pl: PlClaims, ul: UlClaims, fromCache: boolean) {
    this.contentId = ul.cid;
    this.owner = ul.own;
    this.rights = Object.freeze([...ul.rights]);
    this.licenseValidUntil = new Date(ul.exp * 1000);
    this.contentValidUntil = ul.cvu === null ? null : new Date(ul.cvu * 1000);
    this.policy = ul.pol;
    this.signedData = Object.freeze({ ...pl.sad });
    this.fromCache = fromCache;
  }

  /** Whether the user holds `right` (IpcAccessCheck). */
  accessCheck(right: string): boolean {
    return hasRight(this.rights, right);
  }

  /** RIGHT_NOT_GRANTED unless the user holds `right`. */
  requireRight(right: string, forWhat: string): void {
    if (!this.accessCheck(right)) {
      throw new RmsError('RIGHT_NOT_GRANTED', `${forWhat} needs ${right}; this license grants ${this.rights.join(', ')}`, { right, rightsHeld: this.rights });
    }
  }

  /** The encrypted application data, readable by every licensed user. */
  encryptedData(): Record<string, string> {
    return openAppData(this.pl, this.contentKey);
  }

  /** Wipes the content key from memory. */
  close(): void {
    this.contentKey.close();
  }
}
