/**
 * A service's templates on disk (docs/templates.md): the signed templates as last downloaded,
 * in the store's `templates/<service ID>/templates.json`, written atomically by the store. A
 * file that is not JSON, names another service, or holds no list is ignored (and downloaded
 * again); each template in it is verified against the service's pinned SLC again when read,
 * since the file is only as trustworthy as the folder it sits in.
 */
import { ClientStore } from '../store/client-store';

interface CacheFile {
  issuer: string;
  serviceId: string;
  downloadedAt: number;
  templates: string[];
}

export function saveTemplateCache(store: ClientStore, serviceId: string, issuer: string, downloadedAt: number, templates: string[]): void {
  const file: CacheFile = { issuer, serviceId, downloadedAt, templates };
  store.saveTemplateCache(serviceId, file);
}

/** The cached signed templates of `serviceId`, or null when there is no usable cache file. */
export function loadTemplateCache(store: ClientStore, serviceId: string): string[] | null {
  const value = store.loadTemplateCache(serviceId) as Partial<CacheFile> | null;
  if (typeof value !== 'object' || value === null || value.serviceId !== serviceId) return null;
  const templates = value.templates;
  return Array.isArray(templates) && templates.every((t) => typeof t === 'string') ? templates : null;
}
