/** Licenses: reading Microsoft XrML publishing licenses (openrms's own JWS licenses follow). */
export { isXrml, readXrmlLicense } from './xrml';
export type { XrmlLicenseInfo } from './xrml';
