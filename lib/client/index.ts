/** The client API: RmsClient and what it hands out. */
export { RmsClient } from './rms-client';
export type { PublishingLicenseInput } from './rms-client';
export type { GetContentKeyOptions, RmsClientOptions, SerializeOptions, SignInOptions } from './client-options';
export type { SerializedLicense } from './publishing';
export type { Template } from '../templates/template-library';
export { RmsAdministration } from './template-administration';
export type { TemplateDefinition, TemplateRecord } from './template-administration';
export { ContentLicense } from './content-license';
export { DEFAULT_OFFLINE_DAYS } from './license-descriptor';
export type { LicenseDescriptor, LicenseFromScratch } from './license-descriptor';
