/**
 * A license being built, before it is serialized into a publishing license: what MSIPC calls a
 * license handle (IpcCreateLicenseFromTemplateId / IpcCreateLicenseFromScratch, then
 * IpcSetLicenseProperty). A plain object: set its fields, then serialize it with the client.
 */
import { invalidArgument } from '../errors';
import { ANYONE, Descriptor, Grant, MAX_OFFLINE_DAYS, normalizePolicy, Policy } from '../license/publishing-license';
import { TemplateClaims } from '../license/templates';

export interface LicenseDescriptor {
  /** The template the license came from, or null when built from scratch. */
  template: string | null;
  /** The service ID of the template's issuer, where the license is published (default: the default service). */
  templateIssuer?: string;
  /** Who may do what: emails (or ANYONE) and rights or roles. */
  grants: Grant[];
  /** After this nobody opens the content; null for no limit. */
  contentValidUntil: Date | null;
  /** Days a use license may be used without going online again (0: online every time). */
  offlineDays: number;
  /** Grant OWNER to the owner (the signed-in user). Off for licenses from scratch, as in MSIPC; on for templates. */
  autoGrantOwner: boolean;
  /** Names and descriptions per language (IPC_LI_DESCRIPTOR). */
  descriptors: Descriptor[];
  /** Where a user without rights can ask for them (IPC_LI_REFERRAL_INFO_URL). */
  referralUrl: string | null;
  /** Name/value pairs anyone can read, covered by the signature (IPC_LI_APP_SPECIFIC_DATA_NO_ENCRYPTION). */
  signedData: Record<string, string>;
  /** Name/value pairs only the service and licensed users read (IPC_LI_APP_SPECIFIC_DATA). */
  encryptedData: Record<string, string>;
}

export interface LicenseFromScratch {
  grants: Grant[];
  contentValidUntil?: Date | null;
  offlineDays?: number;
  autoGrantOwner?: boolean;
  descriptors?: Descriptor[];
  referralUrl?: string | null;
  signedData?: Record<string, string>;
  encryptedData?: Record<string, string>;
}

/** Offline use for a month unless said otherwise, as AD RMS's default use license validity. */
export const DEFAULT_OFFLINE_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

export function licenseFromScratch(o: LicenseFromScratch): LicenseDescriptor {
  if (typeof o !== 'object' || o === null || !Array.isArray(o.grants)) throw invalidArgument('license.grants', 'an array of grants');
  const offlineDays = o.offlineDays ?? DEFAULT_OFFLINE_DAYS;
  if (!Number.isInteger(offlineDays) || offlineDays < 0 || offlineDays > MAX_OFFLINE_DAYS) throw invalidArgument('license.offlineDays', 'an integer from 0 to 65535');
  const until = o.contentValidUntil ?? null;
  if (until !== null && !(until instanceof Date && Number.isFinite(until.getTime()))) throw invalidArgument('license.contentValidUntil', 'a Date or null');
  return {
    template: null, grants: o.grants.map((g) => ({ who: g.who, rights: [...g.rights] })), contentValidUntil: until, offlineDays,
    autoGrantOwner: o.autoGrantOwner ?? false, descriptors: o.descriptors ?? [], referralUrl: o.referralUrl ?? null,
    signedData: { ...o.signedData }, encryptedData: { ...o.encryptedData },
  };
}

export function licenseFromTemplate(t: TemplateClaims, nowMs: number): LicenseDescriptor {
  return {
    template: t.id, grants: t.grants.map((g) => ({ who: g.who, rights: [...g.rights] })),
    contentValidUntil: t.contentValidDays === null ? null : new Date(nowMs + t.contentValidDays * DAY_MS),
    offlineDays: t.offlineDays, autoGrantOwner: true,
    // The template's names and descriptions become the license's (IPC_LI_DESCRIPTOR), per language.
    descriptors: [
      { lang: 'und', name: t.name, description: t.description },
      ...Object.keys(t.names).sort().map((lang) => ({ lang, name: t.names[lang]!, description: t.descriptions[lang] ?? t.description })),
    ],
    referralUrl: null, signedData: {}, encryptedData: {},
  };
}

/** The policy a descriptor stands for, checked: a license that grants nobody anything is refused, as MSIPC's IPCERROR_USER_RIGHTS_NOT_SET. */
export function descriptorPolicy(d: LicenseDescriptor): Policy {
  const until = d.contentValidUntil;
  if (d.grants.length === 0 && !d.autoGrantOwner) throw invalidArgument('license.grants', 'at least one grant (or autoGrantOwner)');
  return normalizePolicy({
    template: d.template,
    grants: d.grants,
    contentValidUntil: until === null ? null : Math.floor(until.getTime() / 1000),
    offlineDays: d.offlineDays,
  });
}

export { ANYONE };
