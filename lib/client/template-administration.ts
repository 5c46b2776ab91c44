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
  /** Names and descriptions per language (BCP 47 tag to text). */
  names?: Record<string, string>;
  descriptions?: Record<string, string>;
  grants: { who: string; rights: string[] }[];
  /** Content protected with the template stays valid this many days; null for ever. */
  contentValidDays?: number | null;
  offlineDays?: number;
  /** Who may protect with it: addresses and `@domain`s; empty or absent for every user. */
  audience?: string[];
}

/** A template as the service keeps it (`listTemplates`, and what create and update answer). */
export interface TemplateRecord extends Required<TemplateDefinition> {
  id: string;
  archived: boolean;
  /** When it was archived (seconds since the epoch); null while it is live. */
  archivedAt: number | null;
  updatedAt: number;
}

export class RmsAdministration {
  /** Administers the default service of `client` (its publishing service), as its signed-in identity. */
  constructor(private readonly client: RmsClient) {}

  private call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    return this.client.defaultSession().connection.callAuthenticated(method, path, body);
  }

  /**
   * Every template of the service, archived ones and those whose audience leaves the
   * administrator out included: what an administrator needs to find the ID to update or archive.
   */
  async listTemplates(): Promise<TemplateRecord[]> {
    return (await this.call('GET', '/_wmcs/licensing/templates?all=1')).templates as TemplateRecord[];
  }

  /** Adds a template to the service. */
  async createTemplate(definition: TemplateDefinition): Promise<TemplateRecord> {
    return (await this.call('POST', '/_wmcs/licensing/templates', definition)).template as TemplateRecord;
  }

  /**
   * Changes a template: the fields given change, the others stay. Its current grants apply to
   * content already protected with it from the next use license on (MSIPC's behaviour).
   */
  async updateTemplate(id: string, definition: Partial<TemplateDefinition>): Promise<TemplateRecord> {
    return (await this.call('PUT', `/_wmcs/licensing/templates/${encodeURIComponent(id)}`, definition)).template as TemplateRecord;
  }

  /** Archives a template (no longer offered; content protected with it still opens). */
  async archiveTemplate(id: string): Promise<void> {
    await this.call('DELETE', `/_wmcs/licensing/templates/${encodeURIComponent(id)}`);
  }
}
