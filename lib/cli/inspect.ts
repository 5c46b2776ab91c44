/**
 * `openrms inspect <file> [--json]`: whether a file is protected, its container and what its
 * publishing license says, without any key or service. JSON output is one object:
 * `{"protected": false}` for a file that is not protected, otherwise container and license
 * fields, `null` where unknown, times in ISO 8601, content IDs lower case without braces.
 */
import { Writable } from 'node:stream';

import { RmsError } from '../errors';
import { readContainer } from '../format/protect-file';
import { decodeJws } from '../license/jws';
import { PlClaims } from '../license/publishing-license';
import { isXrml, readXrmlLicense, XrmlLicenseInfo } from '../license/xrml';

export interface InspectReport {
  protected: boolean;
  container?: { version: string; originalExtension: string; cipherMode: string | null };
  /** The license fields as XrmlLicenseInfo has them, with times as ISO 8601 strings. */
  license?: Omit<XrmlLicenseInfo, 'issuedTime' | 'validUntil'> & {
    format: 'xrml' | 'jws' | null;
    issuedTime: string | null;
    validUntil: string | null;
  };
}

const NO_LICENSE_FIELDS: XrmlLicenseInfo = {
  contentId: null, owner: null, issuedTime: null, validUntil: null,
  issuer: { name: null, url: null }, licensingUrls: { intranet: null, extranet: null }, referralUrl: null,
};

/** What an openrms PL says in clear (its signature is not checked here: that needs the service's SLC). */
function openrmsLicenseFields(text: string): XrmlLicenseInfo | null {
  let pl: Partial<PlClaims>;
  try {
    pl = decodeJws<Partial<PlClaims>>(text.trim()).payload;
  } catch {
    return null;
  }
  const at = (seconds: unknown): Date | null => {
    const date = typeof seconds === 'number' ? new Date(seconds * 1000) : null;
    return date !== null && Number.isFinite(date.getTime()) ? date : null;
  };
  const urls = { intranet: pl.urls?.intranet ?? null, extranet: pl.urls?.extranet ?? null };
  return {
    contentId: typeof pl.cid === 'string' ? pl.cid : null,
    owner: typeof pl.own === 'string' ? pl.own : null,
    issuedTime: at(pl.iat),
    validUntil: at(pl.pol?.contentValidUntil),
    issuer: { name: typeof pl.iss === 'string' ? pl.iss : null, url: urls.extranet ?? urls.intranet },
    licensingUrls: urls,
    referralUrl: typeof pl.ref === 'string' ? pl.ref : null,
  };
}

export async function inspectFile(path: string): Promise<InspectReport> {
  const container = await readContainer(path);
  if (container === null) return { protected: false };
  const { info, cipherMode } = container;
  const xrml = isXrml(info.license.text);
  const jws = xrml ? null : openrmsLicenseFields(info.license.text);
  const fields = xrml ? readXrmlLicense(info.license.text) : jws ?? NO_LICENSE_FIELDS;
  return {
    protected: true,
    container: { version: info.version, originalExtension: info.originalExtension, cipherMode },
    license: {
      format: xrml ? 'xrml' : jws !== null ? 'jws' : null,
      contentId: fields.contentId,
      owner: fields.owner,
      issuedTime: fields.issuedTime?.toISOString() ?? null,
      validUntil: fields.validUntil?.toISOString() ?? null,
      issuer: fields.issuer,
      licensingUrls: fields.licensingUrls,
      referralUrl: fields.referralUrl,
    },
  };
}

export async function runInspect(args: readonly string[], out: Writable): Promise<void> {
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  const unknown = files.find((a) => a.startsWith('--'));
  if (unknown !== undefined) throw new RmsError('INVALID_ARGUMENT', `unknown option ${unknown} for inspect`);
  if (files.length !== 1) throw new RmsError('INVALID_ARGUMENT', 'inspect takes exactly one file: openrms inspect <file> [--json]');
  const report = await inspectFile(files[0]!);
  if (json) {
    out.write(`${JSON.stringify(report)}\n`);
    return;
  }
  if (!report.protected) {
    out.write(`${files[0]}: not protected\n`);
    return;
  }
  const c = report.container!;
  const l = report.license!;
  const row = (label: string, value: string | null) => `  ${label.padEnd(22)}${value ?? '-'}`;
  const lines = [
    `${files[0]}: protected (PFILE ${c.version}, original extension ${c.originalExtension || '(none)'})`,
    row('cipher mode', c.cipherMode ?? 'unknown (in the encrypted license)'),
    row('license format', l.format ?? 'unknown'),
    row('content ID', l.contentId),
    row('owner', l.owner),
    row('issued', l.issuedTime),
    row('valid until', l.validUntil),
    row('issuer', l.issuer.name === null ? null : `${l.issuer.name}${l.issuer.url ? ` (${l.issuer.url})` : ''}`),
    row('licensing (intranet)', l.licensingUrls.intranet),
    row('licensing (extranet)', l.licensingUrls.extranet),
    row('referral', l.referralUrl),
  ];
  out.write(`${lines.join('\n')}\n`);
}
