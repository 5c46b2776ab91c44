/**
 * Reading Microsoft XrML 1.2 publishing licenses (the licenses in PFILEs made by MSIPC and the
 * RMS SDKs): who issued the content, who owns it, when, for how long, and which licensing
 * service to ask. The signature and the encrypted rights data are not interpreted here.
 */
import { RmsError } from '../errors';
import { childrenNamed, descend, parseXmlElements, XmlElement } from './xml-tree';

export interface XrmlLicenseInfo {
  /** The content ID: a GUID, lower case, without braces. */
  contentId: string | null;
  /** The owner's name as recorded (usually an email address). */
  owner: string | null;
  issuedTime: Date | null;
  /** The end of the license's validity, when it has one. */
  validUntil: Date | null;
  issuer: { name: string | null; url: string | null };
  licensingUrls: { intranet: string | null; extranet: string | null };
  referralUrl: string | null;
}

function text(element: XmlElement | undefined): string | null {
  const value = element?.text.trim();
  return value ? value : null;
}

/** XrML times are UTC, to the minute ("2017-01-12T19:21"), sometimes with seconds. */
function time(element: XmlElement | undefined): Date | null {
  const value = text(element);
  if (value === null) return null;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(date.getTime())) throw new RmsError('INVALID_FORMAT', `XrML time "${value}" is not a date`);
  return date;
}

function guid(element: XmlElement | undefined): string | null {
  const value = text(element);
  return value === null ? null : value.replace(/^\{|\}$/g, '').toLowerCase();
}

function distributionPoint(body: XmlElement | undefined, type: string): string | null {
  const point = childrenNamed(body, 'DISTRIBUTIONPOINT').find((p) => descend(p, 'OBJECT')?.attributes['type'] === type);
  return text(descend(point, 'OBJECT', 'ADDRESS'));
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
    contentId: guid(descend(body, 'WORK', 'OBJECT', 'ID')),
    owner: text(descend(body, 'WORK', 'METADATA', 'OWNER', 'OBJECT', 'NAME')),
    issuedTime: time(descend(body, 'ISSUEDTIME')),
    validUntil: time(descend(body, 'VALIDITYTIME', 'UNTIL')),
    issuer: { name: text(descend(issuer, 'NAME')), url: text(descend(issuer, 'ADDRESS')) },
    licensingUrls: {
      intranet: distributionPoint(body, 'License-Acquisition-URL'),
      extranet: distributionPoint(body, 'Extranet-License-Acquisition-URL'),
    },
    referralUrl: distributionPoint(body, 'Referral-Info'),
  };
}
