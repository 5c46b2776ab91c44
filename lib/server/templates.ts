/**
 * Rights policy templates, as AD RMS administrators know them: a named policy (grants, how long
 * content stays valid after protection, offline days) that users pick when protecting, with its
 * name and description in as many languages as the administrators give, and an audience (who
 * may protect with it; everyone when empty). Admins create, change and archive them; clients
 * list the live ones they may use, each signed by the service so a client can cache the list
 * and trust it offline.
 *
 * A PL made from a template names it, and the service applies the template's CURRENT grants
 * and offline days whenever it issues a use license for that PL (MSIPC's behaviour): editing a
 * template changes who may open content already protected with it. Archiving a template stops
 * new protection with it; content already protected with it still opens.
 */
import { randomUUID } from 'node:crypto';

import { AsymmetricKey } from '../crypto/asymmetric-key';
import { invalidArgument, isRmsError, RmsError } from '../errors';
import {
  LocalizedText, MAX_TEXT, normalizeAudience, normalizeLocalizedText, signTemplate, templateEnabledFor,
} from '../license/templates';
import { Grant, MAX_OFFLINE_DAYS, normalizePolicy } from '../license/publishing-license';
import { Db } from './database';
import { LruCache } from './lru-cache';

/** What an administrator gives to create a template (`update` takes any part of it). */
export interface TemplateDefinition {
  /** The default name, for a locale none of `names` matches; unique among templates, whatever its case (A to Z). */
  name: string;
  description?: string;
  /** Names per language: BCP 47 tags (`fr`, `fr-CA`) to text. */
  names?: LocalizedText;
  descriptions?: LocalizedText;
  grants: Grant[];
  /** Content protected with the template stays valid this many days; null for ever. */
  contentValidDays?: number | null;
  /** Offline access interval in days (default 30). */
  offlineDays?: number;
  /** Who may protect with the template: addresses and `@domain`s; empty (the default) for every user. */
  audience?: string[];
}

export interface Template extends Required<TemplateDefinition> {
  id: string;
  archived: boolean;
  /** When the template was archived; null while it is live. */
  archivedAt: number | null;
  updatedAt: number;
}

/** What a use license needs of a template: its current grants and offline days. */
export type TemplateRules = Pick<Template, 'grants' | 'offlineDays'>;

interface TemplateRow {
  id: string;
  name: string;
  description: string;
  names: string;
  descriptions: string;
  policy: string;
  audience: string;
  archived_at: number | null;
  updated_at: number;
  revision: number;
}

type StoredPolicy = Pick<Template, 'grants' | 'contentValidDays' | 'offlineDays'>;

const NAME_LENGTH = 200;
const FIELDS: readonly (keyof TemplateDefinition)[] = ['name', 'description', 'names', 'descriptions', 'grants', 'contentValidDays', 'offlineDays', 'audience'];
/** Parsed rules kept per template; templates are few, so this only bounds a pathological database. */
const RULES_CACHE_ENTRIES = 1000;

function toTemplate(row: TemplateRow): Template {
  const policy = JSON.parse(row.policy) as StoredPolicy;
  return {
    id: row.id, name: row.name, description: row.description,
    names: JSON.parse(row.names) as LocalizedText, descriptions: JSON.parse(row.descriptions) as LocalizedText,
    ...policy, audience: JSON.parse(row.audience) as string[],
    archived: row.archived_at !== null, archivedAt: row.archived_at, updatedAt: row.updated_at,
  };
}

function checkName(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > NAME_LENGTH) throw invalidArgument(argument, `a name of 1 to ${NAME_LENGTH} characters`);
  return value.trim();
}

function checkNames(value: unknown): LocalizedText {
  const names = normalizeLocalizedText(value, 'template.names');
  for (const [tag, name] of Object.entries(names)) names[tag] = checkName(name, `template.names.${tag}`);
  return names;
}

function checkDescription(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_TEXT) throw invalidArgument('template.description', `text of at most ${MAX_TEXT} characters`);
  return value;
}

/** The grants in canonical form, each refusal naming the grant (normalizePolicy would name `policy.grants` or `email`). */
function checkGrants(value: unknown): Grant[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidArgument('template.grants', 'an array of at least one grant');
  return value.map((grant: unknown, i) => {
    try {
      return normalizePolicy({ template: null, grants: [grant as Grant], contentValidUntil: null, offlineDays: 0 }).grants[0]!;
    } catch (error) {
      if (!isRmsError(error, 'INVALID_ARGUMENT')) throw error;
      throw invalidArgument(`template.grants[${i}]`, `{who: an address or ANYONE, rights: [rights or roles]} (${error.message})`);
    }
  });
}

function checkContentValidDays(value: unknown): number | null {
  if (value === null) return null;
  if (!(Number.isInteger(value) && (value as number) > 0 && (value as number) <= 365_000)) throw invalidArgument('template.contentValidDays', 'a positive number of days, or null');
  return value as number;
}

function checkOfflineDays(value: unknown): number {
  if (!(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_OFFLINE_DAYS)) throw invalidArgument('template.offlineDays', `an integer from 0 to ${MAX_OFFLINE_DAYS}`);
  return value as number;
}

/** Each field given, checked and in canonical form; a field nobody knows is refused rather than silently dropped. */
function checkFields(given: unknown): Partial<TemplateDefinition> {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw invalidArgument('template', 'a template definition');
  const out: Partial<TemplateDefinition> = {};
  for (const [field, value] of Object.entries(given)) {
    // JSON has no undefined; from code, an undefined field is one not given.
    if (value === undefined) continue;
    switch (field as keyof TemplateDefinition) {
      case 'name': out.name = checkName(value, 'template.name'); break;
      case 'description': out.description = checkDescription(value); break;
      case 'names': out.names = checkNames(value); break;
      case 'descriptions': out.descriptions = normalizeLocalizedText(value, 'template.descriptions'); break;
      case 'grants': out.grants = checkGrants(value); break;
      case 'contentValidDays': out.contentValidDays = checkContentValidDays(value); break;
      case 'offlineDays': out.offlineDays = checkOfflineDays(value); break;
      case 'audience': out.audience = normalizeAudience(value, 'template.audience'); break;
      default: throw invalidArgument(`template.${field}`, `absent: a template has ${FIELDS.join(', ')}`);
    }
  }
  return out;
}

/** The parameters of an INSERT or UPDATE of a whole definition, in the order of COLUMNS. */
function columnValues(d: Required<TemplateDefinition>): unknown[] {
  const policy: StoredPolicy = { grants: d.grants, contentValidDays: d.contentValidDays, offlineDays: d.offlineDays };
  return [d.name, d.description, JSON.stringify(d.names), JSON.stringify(d.descriptions), JSON.stringify(policy), JSON.stringify(d.audience)];
}
const COLUMNS = ['name', 'description', 'names', 'descriptions', 'policy', 'audience'];

function definitionOf(t: Template): Required<TemplateDefinition> {
  const { name, description, names, descriptions, grants, contentValidDays, offlineDays, audience } = t;
  return { name, description, names, descriptions, grants, contentValidDays, offlineDays, audience };
}

function nameTaken(name: string, cause: unknown): RmsError {
  return new RmsError('CONFLICT', `a template named ${name} exists`, { cause });
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class Templates {
  // Prepared once: rulesOf() runs on every use license of content protected with a template.
  private readonly selectRevision;
  private readonly selectRules;
  private readonly selectById;
  /** Per template ID: its rules parsed, and the revision they were parsed at. */
  private readonly rules = new LruCache<string, { revision: number; rules: TemplateRules }>(RULES_CACHE_ENTRIES);

  constructor(private readonly db: Db, private readonly now: () => number) {
    this.selectRevision = db.prepare('SELECT revision FROM templates WHERE id = ?').pluck();
    this.selectRules = db.prepare('SELECT revision, policy FROM templates WHERE id = ?');
    this.selectById = db.prepare('SELECT * FROM templates WHERE id = ?');
  }

  /** The live templates, or every one (archived too), by name. */
  list(includeArchived = false): Template[] {
    const rows = this.db.prepare(`SELECT * FROM templates ${includeArchived ? '' : 'WHERE archived_at IS NULL'} ORDER BY name`).all() as TemplateRow[];
    return rows.map(toTemplate);
  }

  /** The live templates `identity` may protect with (their audience names them, their domain, or nobody). */
  listFor(identity: string): Template[] {
    return this.list().filter((t) => templateEnabledFor(t, identity));
  }

  /** A template by ID or by default name (case-insensitive), archived or not; TEMPLATE_NOT_FOUND otherwise. */
  find(idOrName: string): Template {
    const row = this.db.prepare('SELECT * FROM templates WHERE id = ? OR name = ?').get(idOrName, idOrName) as TemplateRow | undefined;
    if (row === undefined) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${idOrName}`);
    return toTemplate(row);
  }

  private findById(id: string): Template {
    const row = this.selectById.get(id) as TemplateRow | undefined;
    if (row === undefined) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id} at this service`);
    return toTemplate(row);
  }

  create(definition: TemplateDefinition): Template {
    const given = checkFields(definition);
    if (given.name === undefined) throw invalidArgument('template.name', `a name of 1 to ${NAME_LENGTH} characters`);
    if (given.grants === undefined) throw invalidArgument('template.grants', 'an array of grants');
    const d: Required<TemplateDefinition> = {
      name: given.name, description: given.description ?? '', names: given.names ?? {}, descriptions: given.descriptions ?? {},
      grants: given.grants, contentValidDays: given.contentValidDays ?? null, offlineDays: given.offlineDays ?? 30, audience: given.audience ?? [],
    };
    const id = randomUUID();
    try {
      this.db.prepare(`INSERT INTO templates (id, ${COLUMNS.join(', ')}, updated_at) VALUES (?, ${COLUMNS.map(() => '?').join(', ')}, ?)`)
        .run(id, ...columnValues(d), this.now());
    } catch (cause) {
      if (isUniqueViolation(cause)) throw nameTaken(d.name, cause);
      throw cause;
    }
    return this.findById(id);
  }

  /**
   * Changes the fields given and keeps the others (a partial update: `{grants}` replaces the
   * grants only; `names` replaces every per-language name). Archived templates can be changed
   * too: their grants still decide who opens the content protected with them.
   */
  update(id: string, changes: Partial<TemplateDefinition>): Template {
    const given = checkFields(changes);
    return this.db.transaction(() => {
      const d: Required<TemplateDefinition> = { ...definitionOf(this.findById(id)), ...given };
      try {
        this.db.prepare(`UPDATE templates SET ${COLUMNS.map((c) => `${c} = ?`).join(', ')}, updated_at = ?, revision = revision + 1 WHERE id = ?`)
          .run(...columnValues(d), this.now(), id);
      } catch (cause) {
        if (isUniqueViolation(cause)) throw nameTaken(d.name, cause);
        throw cause;
      }
      return this.findById(id);
    }).immediate();
  }

  /** Archived templates are no longer offered nor protect anything new; content already protected with them still opens. */
  archive(id: string): Template {
    // Archiving again keeps the first time: content published offline before it stays admissible.
    const now = this.now();
    const changed = this.db.prepare('UPDATE templates SET archived_at = coalesce(archived_at, ?), updated_at = ?, revision = revision + 1 WHERE id = ?')
      .run(now, now, id);
    if (changed.changes === 0) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id}`);
    return this.findById(id);
  }

  /**
   * The template (by ID or name) `identity` may protect with now (online publishing):
   * TEMPLATE_NOT_FOUND, TEMPLATE_NOT_ENABLED_FOR_USER, or TEMPLATE_ARCHIVED otherwise.
   */
  usableBy(idOrName: string, identity: string): Template {
    const template = this.find(idOrName);
    checkMayProtect(template, identity, this.now());
    return template;
  }

  /**
   * Refuses content published offline from template `id` that the service sees for the first
   * time, when its owner could not have protected with the template at the PL's issue time:
   * not in its audience (now), or the template archived by then.
   */
  checkPublishedOffline(id: string, owner: string, issuedAt: number): void {
    checkMayProtect(this.findById(id), owner, issuedAt);
  }

  /**
   * The current grants and offline days of template `id`, for a use license (TEMPLATE_NOT_FOUND
   * when the service has no such template). One indexed read of an integer per call; the
   * rules are parsed again only after the template changed.
   */
  rulesOf(id: string): TemplateRules {
    const revision = this.selectRevision.get(id) as number | undefined;
    if (revision === undefined) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id} at this service`);
    const cached = this.rules.get(id);
    if (cached !== undefined && cached.revision === revision) return cached.rules;
    const row = this.selectRules.get(id) as Pick<TemplateRow, 'revision' | 'policy'> | undefined;
    if (row === undefined) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id} at this service`);
    const { grants, offlineDays } = JSON.parse(row.policy) as StoredPolicy;
    const rules = { grants, offlineDays };
    // The revision read with the policy: a change between the two reads is seen at the next call.
    this.rules.set(id, { revision: row.revision, rules });
    return rules;
  }

  sign(template: Template, serviceKey: AsymmetricKey): string {
    const { id, name, description, names, descriptions, grants, contentValidDays, offlineDays, audience, updatedAt } = template;
    return signTemplate({ id, name, description, names, descriptions, grants, contentValidDays, offlineDays, audience, iat: updatedAt }, serviceKey);
  }
}

/** Whether `identity` may protect with `template` at time `at`; the code says why not. */
function checkMayProtect(template: Template, identity: string, at: number): void {
  if (!templateEnabledFor(template, identity)) {
    throw new RmsError('TEMPLATE_NOT_ENABLED_FOR_USER', `${identity} may not protect with template ${template.name}`);
  }
  if (template.archivedAt !== null && template.archivedAt <= at) {
    throw new RmsError('TEMPLATE_ARCHIVED', `template ${template.name} was archived`);
  }
}
