/**
 * Signed rights policy templates (docs/templates.md): the service signs each live template so a
 * client can list them, cache them, read them from an administrator's `.xml` file and publish
 * offline from them, trusting nothing it cannot verify against the service's SLC.
 *
 * A template carries its name and description in every language the administrators gave (a
 * default plus per-locale ones), the grants, how long content stays valid after protection,
 * the offline days, and who may use it (`audience`: addresses and `@domain`s; empty for every
 * user of the service). A PL made from a template names it: the service applies the template's
 * current grants when it issues use licenses, as MSIPC does.
 */
import { AsymmetricKey } from '../crypto/asymmetric-key';
import { invalidArgument, RmsError } from '../errors';
import { CERTIFICATE_VERSION, normalizeEmail, VerifiedSlc, verifyServiceSigned } from './certificates';
import { signJws } from './jws';
import { Grant, normalizePolicy, Policy } from './publishing-license';

export const TEMPLATE_TYPE = 'openrms-template+jws';
const DAY = 24 * 3600;
/** The most characters of one name or description, in any language. */
export const MAX_TEXT = 2000;
const MAX_LOCALES = 100;
const MAX_AUDIENCE = 1000;

/** Per-locale text: BCP 47 tags in canonical form (`fr`, `fr-CA`, `zh-Hant-TW`) to strings. */
export type LocalizedText = Record<string, string>;

export interface TemplateClaims {
  ver: number;
  iss: string;
  /** A UUID, lower case. */
  id: string;
  /** The default name and description, for a locale none of `names` matches. */
  name: string;
  description: string;
  names: LocalizedText;
  descriptions: LocalizedText;
  grants: Grant[];
  /** Content protected with the template stays valid this many days after protection; null for ever. */
  contentValidDays: number | null;
  offlineDays: number;
  /** Who may protect with the template: addresses and `@domain`s; empty for every user. */
  audience: string[];
  /** When the template was last changed. */
  iat: number;
}

export type TemplateContent = Omit<TemplateClaims, 'ver' | 'iss'>;

/** A BCP 47 language tag in canonical form (`en-us` -> `en-US`); INVALID_ARGUMENT when it is not one. */
export function canonicalLocale(tag: string, argument = 'locale'): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical !== undefined) return canonical;
  } catch {
    // RangeError: not a well-formed tag; reported below.
  }
  throw invalidArgument(argument, `a BCP 47 language tag such as en-US (got ${JSON.stringify(String(tag).slice(0, 40))})`);
}

/** Per-locale text checked and in canonical form. */
export function normalizeLocalizedText(value: unknown, argument: string): LocalizedText {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(argument, 'an object of language tag to text');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_LOCALES) throw invalidArgument(argument, `at most ${MAX_LOCALES} languages`);
  const text: LocalizedText = {};
  for (const [tag, s] of entries) {
    if (typeof s !== 'string' || s.length > MAX_TEXT) throw invalidArgument(`${argument}.${tag}`, `text of at most ${MAX_TEXT} characters`);
    text[canonicalLocale(tag, `${argument}.${tag}`)] = s;
  }
  return text;
}

/** An audience entry: an address, or `@domain` for every address of that domain. */
export function normalizeAudience(value: unknown, argument = 'audience'): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_AUDIENCE) throw invalidArgument(argument, `an array of at most ${MAX_AUDIENCE} addresses or @domains`);
  return [...new Set(value.map((entry: unknown, i) => {
    try {
      if (typeof entry !== 'string') throw new TypeError();
      if (entry.startsWith('@')) return `@${normalizeEmail(`x${entry}`).slice(2)}`;
      return normalizeEmail(entry);
    } catch {
      // normalizeEmail names its argument `email`; the caller needs to know which entry.
      throw invalidArgument(`${argument}[${i}]`, 'an address or an @domain');
    }
  }))].sort();
}

/** Whether `identity` may protect with a template of this audience. */
export function templateEnabledFor(template: Pick<TemplateClaims, 'audience'>, identity: string): boolean {
  if (template.audience.length === 0) return true;
  const email = normalizeEmail(identity);
  const domain = email.slice(email.lastIndexOf('@'));
  return template.audience.some((entry) => entry === email || entry === domain);
}

export function signTemplate(content: TemplateContent, serviceKey: AsymmetricKey): string {
  return signJws({ ver: CERTIFICATE_VERSION, iss: serviceKey.thumbprint(), ...content }, serviceKey, TEMPLATE_TYPE);
}

/**
 * A template signed by the service whose SLC is `slc`, its content well formed: INVALID_SIGNATURE
 * or BROKEN_CERT_CHAIN when another key signed it or it names another issuer, INVALID_FORMAT when
 * a field is not what a service writes.
 */
export function verifyTemplate(token: string, slc: VerifiedSlc): TemplateClaims {
  const claims = verifyServiceSigned<TemplateClaims>('template', TEMPLATE_TYPE, token, slc);
  try {
    if (typeof claims.id !== 'string' || !/^[0-9a-f-]{36}$/.test(claims.id)) throw new Error('the template has no ID');
    if (typeof claims.name !== 'string' || typeof claims.description !== 'string') throw new Error('the template has no name or description');
    if (typeof claims.iat !== 'number') throw new Error('the template has no time');
    const names = normalizeLocalizedText(claims.names, 'names');
    const descriptions = normalizeLocalizedText(claims.descriptions, 'descriptions');
    const audience = normalizeAudience(claims.audience);
    policyFromTemplate(claims, 0);
    return { ...claims, names, descriptions, audience };
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `the template is not valid: ${(cause as Error).message}`, { cause });
  }
}

/** The policy a PL made from `template` at time `now` carries. */
export function policyFromTemplate(template: Pick<TemplateClaims, 'id' | 'grants' | 'contentValidDays' | 'offlineDays'>, now: number): Policy {
  return normalizePolicy({
    template: template.id,
    grants: template.grants,
    contentValidUntil: template.contentValidDays === null ? null : now + template.contentValidDays * DAY,
    offlineDays: template.offlineDays,
  });
}
