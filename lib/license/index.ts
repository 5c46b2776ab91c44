/** Licenses: Microsoft XrML publishing licenses (read), and openrms's JWS certificates and licenses. */
export { isXrml, readXrmlLicense } from './xrml';
export type { XrmlLicenseInfo } from './xrml';
export { decodeJws, signJws, signJwsAsync, verifyJws } from './jws';
export type { DecodedJws, JwsHeader } from './jws';
export { COMMON_RIGHTS, expandRights, hasRight, normalizeRight, ROLE_RIGHTS, ROLES } from './rights';
export type { CommonRight, Role } from './rights';
export {
  issueClc, issueRac, issueSlc, normalizeEmail, verifyClc, verifyRac, verifySlc,
} from './certificates';
export type {
  ClcClaims, IdentityKind, LicensingUrls, RacClaims, SlcClaims, SlcTrust, TimeOptions, VerifiedSlc,
} from './certificates';
export {
  ANYONE, checkContentValidity, grantedRights, normalizePolicy, openAppData, openPolicy, PL_VERSION, plBinding, publishOffline, publishOnline,
  publishRequestLabel, unwrapPlContentKey, verifyPl,
} from './publishing-license';
export { contentKeyId } from './content-key-id';
export type { Descriptor, Grant, PlClaims, PlPolicy, Policy, PublishOptions, VerifiedPl } from './publishing-license';
export { issueUl, issueUlAsync, openUlContentKey, verifyUl } from './use-license';
export type { UlClaims, VerifiedUl } from './use-license';
export { policyFromTemplate, signTemplate, verifyTemplate } from './templates';
export type { TemplateClaims } from './templates';
