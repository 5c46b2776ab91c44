export { defaultLocale, localizedText } from './localized-text';
export { markFailed, markRefreshed, refreshDue } from './refresh-schedule';
export type { RefreshMarker } from './refresh-schedule';
export type { RefreshTimer } from './refresh-timer';
export { TemplateLibrary } from './template-library';
export type { Template, TemplateListOptions } from './template-library';
export { checkTemplateFile, parseTemplateXml, templateToXml, TEMPLATE_XML_NAMESPACE } from './template-xml';
