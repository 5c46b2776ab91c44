/**
 * Signed rights policy templates (docs/licenses.md): the service signs each live template so a
 * client can list them, cache the list and publish offline from it. A template's policy is
 * copied into the PL at publishing time, its content validity resolved to a date then.
 */
import { AsymmetricKey } from '../crypto/asymmetric-key';
import { RmsError } from '../errors';
import { CERTIFICATE_VERSION, VerifiedSlc, verifyServiceSigned } from './certificates';
import { signJws } from './jws';
import { Grant, normalizePolicy, Policy } from './publishing-license';

export const TEMPLATE_TYPE = 'openrms-template+jws';
const DAY = 24 * 3600;

export interface TemplateClaims {
  ver: number;
  iss: string;
  id: string;
  name: string;
  description: string;
  grants: Grant[];
  /** Content protected with the template stays valid this many days after protection; null for ever. */
  contentValidDays: number | null;
  offlineDays: number;
  /** When the template was last changed. */
  iat: number;
}

export function signTemplate(claims: Omit<TemplateClaims, 'ver' | 'iss'>, serviceKey: AsymmetricKey): string {
  return signJws({ ver: CERTIFICATE_VERSION, iss: serviceKey.thumbprint(), ...claims }, serviceKey, TEMPLATE_TYPE);
}

export function verifyTemplate(token: string, slc: VerifiedSlc): TemplateClaims {
  const claims = verifyServiceSigned<TemplateClaims>('template', TEMPLATE_TYPE, token, slc);
  if (typeof claims.id !== 'string' || typeof claims.name !== 'string') throw new RmsError('INVALID_FORMAT', 'the template has no ID or name');
  try {
    policyFromTemplate(claims, 0);
  } catch (cause) {
    throw new RmsError('INVALID_FORMAT', `the template's policy is not valid: ${(cause as Error).message}`, { cause });
  }
  return claims;
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
