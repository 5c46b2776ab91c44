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
import { TemplateColumns, TemplateRow, TemplateStore } from './storage/template-store';
import { LruCache } from '../lru-cache';

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

/** The columns that store a whole definition. */
function columnsOf(d: Required<TemplateDefinition>): TemplateColumns {
  const policy: StoredPolicy = { grants: d.grants, contentValidDays: d.contentValidDays, offlineDays: d.offlineDays };
  return {
    name: d.name, description: d.description, names: JSON.stringify(d.names), descriptions: JSON.stringify(d.descriptions),
    policy: JSON.stringify(policy), audience: JSON.stringify(d.audience),
  };
}

function definitionOf(t: Template): Required<TemplateDefinition> {
  const { name, description, names, descriptions, grants, contentValidDays, offlineDays, audience } = t;
  return { name, description, names, descriptions, grants, contentValidDays, offlineDays, audience };
}

export class Templates {
  /** Per template ID: its rules parsed, and the revision they were parsed at. */
  private readonly rules = new LruCache<string, { revision: number; rules: TemplateRules }>(RULES_CACHE_ENTRIES);

  constructor(private readonly store: TemplateStore, private readonly now: () => number) {}

  /** The live templates, or every one (archived too), by name. */
  async list(includeArchived = false): Promise<Template[]> {
    return (await this.store.list(includeArchived)).map(toTemplate);
  }

  /** The live templates `identity` may protect with (their audience names them, their domain, or nobody). */
  async listFor(identity: string): Promise<Template[]> {
    return (await this.list()).filter((t) => templateEnabledFor(t, identity));
  }

  /** A template by ID or by default name (case-insensitive), archived or not; TEMPLATE_NOT_FOUND otherwise. */
  async find(idOrName: string): Promise<Template> {
    const row = await this.store.find(idOrName);
    if (row === null) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${idOrName}`);
    return toTemplate(row);
  }

  private async findById(id: string): Promise<Template> {
    const row = await this.store.byId(id);
    if (row === null) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id} at this service`);
    return toTemplate(row);
  }

  async create(definition: TemplateDefinition): Promise<Template> {
    const given = checkFields(definition);
    if (given.name === undefined) throw invalidArgument('template.name', `a name of 1 to ${NAME_LENGTH} characters`);
    if (given.grants === undefined) throw invalidArgument('template.grants', 'an array of grants');
    const d: Required<TemplateDefinition> = {
      name: given.name, description: given.description ?? '', names: given.names ?? {}, descriptions: given.descriptions ?? {},
      grants: given.grants, contentValidDays: given.contentValidDays ?? null, offlineDays: given.offlineDays ?? 30, audience: given.audience ?? [],
    };
    return toTemplate(await this.store.insert(randomUUID(), columnsOf(d), this.now()));
  }

  /**
   * Changes the fields given and keeps the others (a partial update: `{grants}` replaces the
   * grants only; `names` replaces every per-language name). Archived templates can be changed
   * too: their grants still decide who opens the content protected with them.
   */
  async update(id: string, changes: Partial<TemplateDefinition>): Promise<Template> {
    const given = checkFields(changes);
    const row = await this.store.update(id, (current) => columnsOf({ ...definitionOf(toTemplate(current)), ...given }), this.now());
    if (row === null) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id} at this service`);
    return toTemplate(row);
  }

  /** Archived templates are no longer offered nor protect anything new; content already protected with them still opens. */
  async archive(id: string): Promise<Template> {
    // Archiving again keeps the first time: content published offline before it stays admissible.
    const row = await this.store.archive(id, this.now());
    if (row === null) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id}`);
    return toTemplate(row);
  }

  /**
   * The template (by ID or name) `identity` may protect with now (online publishing):
   * TEMPLATE_NOT_FOUND, TEMPLATE_NOT_ENABLED_FOR_USER, or TEMPLATE_ARCHIVED otherwise.
   */
  async usableBy(idOrName: string, identity: string): Promise<Template> {
    const template = await this.find(idOrName);
    checkMayProtect(template, identity, this.now());
    return template;
  }

  /**
   * Refuses content published offline from template `id` that the service sees for the first
   * time, when its owner could not have protected with the template at the PL's issue time:
   * not in its audience (now), or the template archived by then.
   */
  async checkPublishedOffline(id: string, owner: string, issuedAt: number): Promise<void> {
    checkMayProtect(await this.findById(id), owner, issuedAt);
  }

  /**
   * The current grants and offline days of template `id`, for a use license (TEMPLATE_NOT_FOUND
   * when the service has no such template). One indexed read of an integer per call; the
   * rules are read and parsed again only after the template changed (at any instance on the database).
   */
  async rulesOf(id: string): Promise<TemplateRules> {
    const revision = await this.store.revision(id);
    if (revision === null) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id} at this service`);
    const cached = this.rules.get(id);
    if (cached !== undefined && cached.revision === revision) return cached.rules;
    const row = await this.store.byId(id);
    if (row === null) throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${id} at this service`);
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
