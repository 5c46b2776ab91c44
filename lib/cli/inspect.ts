/**
 * `openrms inspect <file> [--json]`: whether a file is protected, its container and what its
 * publishing license says, without any key or service. JSON output is one object:
 * `{"protected": false}` for a file that is not protected, otherwise container and license
 * fields, `null` where unknown, times in ISO 8601. Values a license supplies reach the
 * terminal escaped (`printable`).
 */
import { Command } from 'commander';

import { readContainer } from '../format/protect-file';
import { isEpochSeconds } from '../license/certificates';
import { decodeJws } from '../license/jws';
import { isXrml, readXrmlLicense, XrmlLicenseInfo } from '../license/xrml';
import { examples } from './command-tree';
import { CommandIo, JsonFlag, printable, report } from './command-line';

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

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const fieldsOf = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? value as Record<string, unknown> : {});

/** A PL time is what the PL verifier accepts; anything else (1e300, -1, 1.5, "soon") is shown as no date. */
const epochDate = (seconds: unknown): Date | null => (isEpochSeconds(seconds) ? new Date(seconds * 1000) : null);

/**
 * What an openrms PL says in clear. Its signature is not checked here (that needs the
 * service's SLC), so every field is taken only when it has the type the format gives it.
 */
function openrmsLicenseFields(text: string): XrmlLicenseInfo | null {
  let pl: Record<string, unknown>;
  try {
    pl = decodeJws<Record<string, unknown>>(text.trim()).payload;
  } catch {
    return null;
  }
  const urls = { intranet: stringOrNull(fieldsOf(pl.urls).intranet), extranet: stringOrNull(fieldsOf(pl.urls).extranet) };
  return {
    contentId: stringOrNull(pl.cid),
    owner: stringOrNull(pl.own),
    issuedTime: epochDate(pl.iat),
    validUntil: epochDate(fieldsOf(pl.pol).contentValidUntil),
    issuer: { name: stringOrNull(pl.iss), url: urls.extranet ?? urls.intranet },
    licensingUrls: urls,
    referralUrl: stringOrNull(pl.ref),
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

/** The text summary. Every value but the labels comes from the file, unverified: each is escaped. */
function summary(file: string, report: InspectReport): string[] {
  if (!report.protected) return [`${printable(file)}: not protected`];
  const c = report.container!;
  const l = report.license!;
  const row = (label: string, value: string | null) => `  ${label.padEnd(22)}${value === null ? '-' : printable(value)}`;
  const issuer = [l.issuer.name, l.issuer.url === null ? null : `(${l.issuer.url})`].filter((v) => v !== null).join(' ');
  return [
    `${printable(file)}: protected (PFILE ${printable(c.version)}, original extension ${printable(c.originalExtension) || '(none)'})`,
    row('cipher mode', c.cipherMode ?? 'unknown (in the encrypted license)'),
    row('license format', l.format ?? 'unknown'),
    row('content ID', l.contentId),
    row('owner', l.owner),
    row('issued', l.issuedTime),
    row('valid until', l.validUntil),
    row('issuer', issuer || null),
    row('licensing (intranet)', l.licensingUrls.intranet),
    row('licensing (extranet)', l.licensingUrls.extranet),
    row('referral', l.referralUrl),
  ];
}

export function inspectCommand(io: CommandIo): Command {
  const command = new Command('inspect')
    .summary('whether a file is protected, its container and license (no key needed)')
    .description('Read a file\'s container and what its publishing license says in clear, without a key or a service. '
      + 'The license is not verified here (that needs its service): treat what it says as a claim. '
      + 'JSON: {"protected": false}, or container and license fields, null where unknown.')
    .argument('<file>', 'the file to inspect')
    .option('--json', 'print JSON')
    .action(async (file: string, flags: JsonFlag) => {
      const inspected = await inspectFile(file);
      report(flags, io, inspected, summary(file, inspected));
    });
  return examples(command, ['openrms inspect plan.ptxt', 'openrms inspect report.docx.pfile --json | jq .license.owner']);
}
