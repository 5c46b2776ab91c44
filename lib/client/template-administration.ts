/**
 * What a service's administrators do with its templates, kept out of the user's client: an
 * `RmsAdministration` is opened on a signed-in store (an administrator's) and calls the
 * service's template routes, which refuse anyone but an administrator (ACCESS_DENIED).
 */
import { RmsClient } from './rms-client';

/** A template as an administrator defines it (see docs/protocol.md). */
export interface TemplateDefinition {
  name: string;
  description?: string;
  grants: { who: string; rights: string[] }[];
  contentValidDays?: number | null;
  offlineDays?: number;
}

export class RmsAdministration {
  /** Administers the default service of `client` (its publishing service), as its signed-in identity. */
  constructor(private readonly client: RmsClient) {}

  private call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    return this.client.defaultSession().connection.callAuthenticated(method, path, body);
  }

  /** Adds a template to the service. */
  async createTemplate(definition: TemplateDefinition): Promise<{ id: string; name: string }> {
    return (await this.call('POST', '/_wmcs/licensing/templates', definition)).template as { id: string; name: string };
  }

  /** Changes a template (content already protected with it keeps its policy). */
  async updateTemplate(id: string, definition: TemplateDefinition): Promise<{ id: string; name: string }> {
    return (await this.call('PUT', `/_wmcs/licensing/templates/${encodeURIComponent(id)}`, definition)).template as { id: string; name: string };
  }

  /** Archives a template (no longer offered; content protected with it still opens). */
  async archiveTemplate(id: string): Promise<void> {
    await this.call('DELETE', `/_wmcs/licensing/templates/${encodeURIComponent(id)}`);
  }
}
