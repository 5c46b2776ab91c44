/** The client API: RmsClient and what it hands out. */
export { RmsClient } from './rms-client';
export type {
  GetContentKeyOptions, PublishingLicenseInput, RmsClientOptions, SerializedLicense, SerializeOptions, SignInOptions, Template,
} from './rms-client';
export { ContentLicense } from './content-license';
export { DEFAULT_OFFLINE_DAYS } from './license-descriptor';
export type { LicenseDescriptor, LicenseFromScratch } from './license-descriptor';
