/**
 * Rights policy templates, as AD RMS administrators know them: a named policy (grants, how long
 * content stays valid after protection, offline days) that users pick when protecting. Admins
 * create, change and archive them; clients list the live ones, each signed by the service so a
 * client can cache the list and trust it offline. A PL made from a template copies its policy
 * at publishing time: changing a template later does not change content already protected.
 */
import { randomUUID } from 'node:crypto';

import { AsymmetricKey } from '../crypto/asymmetric-key';
import { invalidArgument, RmsError } from '../errors';
import { signTemplate } from '../license/templates';
import { Grant, MAX_OFFLINE_DAYS, normalizePolicy } from '../license/publishing-license';
import { Db } from './database';

export interface TemplateDefinition {
  name: string;
  description?: string;
  grants: Grant[];
  /** Content protected with the template stays valid this many days; null for ever. */
  contentValidDays?: number | null;
  /** Offline access interval in days (default 30). */
  offlineDays?: number;
}

export interface Template extends Required<TemplateDefinition> {
  id: string;
  archived: boolean;
  updatedAt: number;
}

interface TemplateRow {
  id: string;
  name: string;
  description: string;
  policy: string;
  archived: number;
  updated_at: number;
}

function toTemplate(row: TemplateRow): Template {
  const policy = JSON.parse(row.policy) as Pick<Template, 'grants' | 'contentValidDays' | 'offlineDays'>;
  return { id: row.id, name: row.name, description: row.description, ...policy, archived: row.archived === 1, updatedAt: row.updated_at };
}

function checkDefinition(d: TemplateDefinition): Required<TemplateDefinition> {
  if (typeof d !== 'object' || d === null) throw invalidArgument('template', 'a template definition');
  if (!Array.isArray(d.grants)) throw invalidArgument('template.grants', 'an array of grants');
  if (typeof d.name !== 'string' || d.name.trim() === '' || d.name.length > 200) throw invalidArgument('template.name', 'a name of 1 to 200 characters');
  const days = d.contentValidDays ?? null;
  if (days !== null && !(Number.isInteger(days) && days > 0 && days <= 365_000)) throw invalidArgument('template.contentValidDays', 'a positive number of days, or null');
  const offlineDays = d.offlineDays ?? 30;
  const policy = normalizePolicy({ template: null, grants: d.grants, contentValidUntil: null, offlineDays });
  if (policy.grants.length === 0) throw invalidArgument('template.grants', 'at least one grant');
  if (offlineDays > MAX_OFFLINE_DAYS) throw invalidArgument('template.offlineDays', 'at most 65535');
  return { name: d.name.trim(), description: typeof d.description === 'string' ? d.description : '', grants: policy.grants, contentValidDays: days, offlineDays };
}

export class Templates {
  constructor(private readonly db: Db, private readonly now: () => number) {}

  list(includeArchived = false): Template[] {
    const rows = this.db.prepare(`SELECT * FROM templates ${includeArchived ? '' : 'WHERE archived = 0'} ORDER BY name`).all() as TemplateRow[];
    return rows.map(toTemplate);
  }

  /** A template by ID or by name (case-insensitive); TEMPLATE_NOT_FOUND otherwise. */
  find(idOrName: string): Template {
    const row = this.db.prepare('SELECT * FROM templates WHERE id = ? OR lower(name) = lower(?)').get(idOrName, idOrName) as TemplateRow | undefined;
    if (row === undefined) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${idOrName}`);
    return toTemplate(row);
  }

  create(definition: TemplateDefinition): Template {
    const d = checkDefinition(definition);
    const id = randomUUID();
    try {
      this.db.prepare('INSERT INTO templates (id, name, description, policy, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, d.name, d.description, JSON.stringify({ grants: d.grants, contentValidDays: d.contentValidDays, offlineDays: d.offlineDays }), this.now());
    } catch (cause) {
      throw new RmsError('CONFLICT', `a template named ${d.name} exists`, { cause });
    }
    return this.find(id);
  }

  update(id: string, definition: TemplateDefinition): Template {
    const d = checkDefinition(definition);
    let changed;
    try {
      changed = this.db.prepare('UPDATE templates SET name = ?, description = ?, policy = ?, updated_at = ? WHERE id = ?')
        .run(d.name, d.description, JSON.stringify({ grants: d.grants, contentValidDays: d.contentValidDays, offlineDays: d.offlineDays }), this.now(), id);
    } catch (cause) {
      throw new RmsError('CONFLICT', `a template named ${d.name} exists`, { cause });
    }
    if (changed.changes === 0) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id}`);
    return this.find(id);
  }

  /** Archived templates are no longer offered; content already protected with them still opens. */
  archive(id: string): Template {
    const changed = this.db.prepare('UPDATE templates SET archived = 1, updated_at = ? WHERE id = ?').run(this.now(), id);
    if (changed.changes === 0) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id}`);
    return this.find(id);
  }

  sign(template: Template, serviceKey: AsymmetricKey): string {
    const { id, name, description, grants, contentValidDays, offlineDays, updatedAt } = template;
    return signTemplate({ id, name, description, names: {}, descriptions: {}, grants, contentValidDays, offlineDays, audience: [], iat: updatedAt }, serviceKey);
  }
}
