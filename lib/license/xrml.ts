/**
 * Reading Microsoft XrML 1.2 publishing licenses (the licenses in PFILEs made by MSIPC and the
 * RMS SDKs): who issued the content, who owns it, when, for how long, and which licensing
 * service to ask. The signature and the encrypted rights data are not interpreted here.
 *
 * XrML says what kind of thing a value is with a `type` attribute (`<ADDRESS type="URL">`,
 * `<ID type="MS-GUID">`): a field is read only from an element of the type it needs, and a
 * value that contradicts its type (an MS-GUID that is no GUID, a time that is no date) is
 * INVALID_FORMAT, never reported as something it is not.
 */
import { RmsError } from '../errors';
import { child, childrenNamed, descend, parseXmlElements, XmlElement } from './xml-tree';

export interface XrmlLicenseInfo {
  /**
   * The content ID. An `MS-GUID` ID (what Microsoft's clients write) is a GUID, lower case,
   * without braces; an ID of another type is reported as written.
   */
  contentId: string | null;
  /** The owner's name as recorded (usually an email address). */
  owner: string | null;
  issuedTime: Date | null;
  /** The end of the license's validity, when it has one. */
  validUntil: Date | null;
  /** `url` is the issuer's address of type URL: null for an issuer named only by email or other addresses. */
  issuer: { name: string | null; url: string | null };
  licensingUrls: { intranet: string | null; extranet: string | null };
  /** The referral address of type URL, as written: Microsoft's sharing app puts an email address there. */
  referralUrl: string | null;
}

function invalid(message: string): RmsError {
  return new RmsError('INVALID_FORMAT', `not a valid XrML license: ${message}`);
}

function text(element: XmlElement | undefined): string | null {
  const value = element?.text.trim();
  return value ? value : null;
}

/**
 * Microsoft's clients write "URL" and "MS-GUID"; a type name is compared without regard to
 * case so that a license spelling it "url" is read the same, not silently missing the field.
 */
function hasType(element: XmlElement | undefined, type: string): boolean {
  return element?.attributes['type']?.toLowerCase() === type.toLowerCase();
}

/**
 * Microsoft's clients write XrML times in UTC to the minute ("2017-01-12T19:21"); seconds, a
 * fraction and a zone are read too. Read field by field: `new Date(text)` would take "12" for December 2001 and roll
 * February 30 over into March.
 */
const XRML_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|([+-])(\d{2}):?(\d{2}))?$/;

function parseTime(value: string): Date | null {
  const m = XRML_TIME.exec(value);
  if (m === null) return null;
  const field = (i: number) => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second, zoneHours, zoneMinutes] = [1, 2, 3, 4, 5, 6, 10, 11].map(field) as
    [number, number, number, number, number, number, number, number];
  if (hour > 23 || minute > 59 || second > 59 || zoneHours > 14 || zoneMinutes > 59) return null;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC, which takes years 0 to 99 for 1900 to 1999.
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  const zone = (m[9] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  date.setUTCHours(hour, minute - zone, second, Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)));
  return date;
}

function time(element: XmlElement | undefined): Date | null {
  const value = text(element);
  if (value === null) return null;
  const date = parseTime(value);
  if (date === null) throw invalid(`the time "${value}" is not a date (YYYY-MM-DDThh:mm[:ss], UTC unless a zone follows)`);
  return date;
}

const GUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

function contentId(id: XmlElement | undefined): string | null {
  const value = text(id);
  if (value === null || !hasType(id, 'MS-GUID')) return value;
  const guid = value.startsWith('{') && value.endsWith('}') ? value.slice(1, -1) : value;
  if (!GUID.test(guid)) throw invalid(`the content ID "${value}" is of type MS-GUID but is not a GUID`);
  return guid.toLowerCase();
}

/** The first non-empty ADDRESS of type URL directly under `object`. */
function urlAddress(object: XmlElement | undefined): string | null {
  return childrenNamed(object, 'ADDRESS').filter((a) => hasType(a, 'URL')).map(text).find((v) => v !== null) ?? null;
}

/** A service's URL is one a client could connect to: an absolute http or https URL. */
function serviceUrl(value: string | null, what: string): string | null {
  if (value === null) return null;
  const protocol = URL.canParse(value) ? new URL(value).protocol : null;
  if (protocol !== 'https:' && protocol !== 'http:') throw invalid(`the ${what} "${value}" is not an http(s) URL`);
  return value;
}

function distributionPoint(body: XmlElement | undefined, type: string): string | null {
  const objects = childrenNamed(body, 'DISTRIBUTIONPOINT').map((p) => child(p, 'OBJECT')).filter((o) => hasType(o, type));
  return objects.map(urlAddress).find((v) => v !== null) ?? null;
}

/** True when a license's text is XrML (as opposed to openrms's own JWS licenses). */
export function isXrml(licenseText: string): boolean {
  const start = licenseText.trimStart();
  return start.startsWith('<XrML') || (start.startsWith('<?xml') && start.includes('<XrML'));
}

/** Reads the publishing license (the first XrML document; certificates may follow it). */
export function readXrmlLicense(licenseText: string): XrmlLicenseInfo {
  const roots = parseXmlElements(licenseText);
  const license = roots[0];
  if (license === undefined || license.name !== 'XrML') throw new RmsError('INVALID_FORMAT', 'the license is not an XrML document');
  const body = descend(license, 'BODY');
  if (body === undefined) throw new RmsError('INVALID_FORMAT', 'the XrML license has no BODY');
  const issuer = descend(body, 'ISSUER', 'OBJECT');
  return {
    contentId: contentId(descend(body, 'WORK', 'OBJECT', 'ID')),
    owner: text(descend(body, 'WORK', 'METADATA', 'OWNER', 'OBJECT', 'NAME')),
    issuedTime: time(descend(body, 'ISSUEDTIME')),
    validUntil: time(descend(body, 'VALIDITYTIME', 'UNTIL')),
    issuer: { name: text(descend(issuer, 'NAME')), url: serviceUrl(urlAddress(issuer), 'issuer URL') },
    licensingUrls: {
      intranet: serviceUrl(distributionPoint(body, 'License-Acquisition-URL'), 'licensing URL'),
      extranet: serviceUrl(distributionPoint(body, 'Extranet-License-Acquisition-URL'), 'extranet licensing URL'),
    },
    referralUrl: distributionPoint(body, 'Referral-Info'),
  };
}
