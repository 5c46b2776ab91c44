/**
 * MSIPC's unmanaged templates: when the `UnmanagedTemplates` folder directly under the store
 * root (client mode: the user's; server mode: the service account's) holds `.xml` files, the
 * default service's templates are those files and nothing is downloaded from it. Each file must
 * carry a template signed by that service and say in its readable part what the signature says;
 * any other file is skipped, and the trace says which and why.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';

import { fileSystemError, RmsError } from '../errors';
import { TemplateClaims, verifyTemplate } from '../license/templates';
import { VerifiedSlc } from '../license/certificates';
import { serviceBaseOf } from '../client/service-session';
import { Tracer } from '../client/trace';
import { checkTemplateFile, MAX_TEMPLATE_XML_BYTES, parseTemplateXml } from './template-xml';

export interface UnmanagedTemplate {
  token: string;
  claims: TemplateClaims;
  file: string;
}

/** The `.xml` files in `folder` (any case of the extension), or null when there are none or no folder. */
function templateFiles(folder: string): string[] | null {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT' || (error as { code?: string }).code === 'ENOTDIR') return null;
    throw fileSystemError(error, folder);
  }
  const files = names.filter((name) => name.toLowerCase().endsWith('.xml')).sort();
  return files.length === 0 ? null : files;
}

function readTemplateFile(file: string): Buffer {
  // Opened without following a link and checked through the open descriptor, then read up to the
  // cap: a file swapped or grown between a check and a read cannot make it read anything else.
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    // An administrator places files, not links (refused by O_NOFOLLOW), devices or FIFOs.
    if (!fstatSync(fd).isFile()) throw new RmsError('INVALID_FORMAT', 'not a regular file');
    const buffer = Buffer.alloc(MAX_TEMPLATE_XML_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_TEMPLATE_XML_BYTES) throw new RmsError('INVALID_FORMAT', `larger than ${MAX_TEMPLATE_XML_BYTES} bytes`);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * The templates of the `.xml` files in `folder` issued by the service of `slc` (reached at
 * `serviceUrl`), or null when the folder holds no `.xml` file (then templates are downloaded).
 * Two files of one template: the later version wins.
 */
export function readUnmanagedTemplates(folder: string, slc: VerifiedSlc, serviceUrl: string, tracer: Tracer): UnmanagedTemplate[] | null {
  const files = templateFiles(folder);
  if (files === null) return null;
  const issuers = new Set([serviceUrl, slc.claims.urls.intranet, slc.claims.urls.extranet].map(serviceBaseOf).filter((u) => u !== null)
    .map((u) => u!.toLowerCase()));
  const byId = new Map<string, UnmanagedTemplate>();
  for (const name of files) {
    try {
      const parsed = parseTemplateXml(readTemplateFile(path.join(folder, name)));
      const claims = verifyTemplate(parsed.token, slc);
      if (!issuers.has(serviceBaseOf(parsed.issuerUrl)?.toLowerCase() ?? '')) {
        throw new RmsError('BROKEN_CERT_CHAIN', `the file names issuer ${parsed.issuerUrl}, not the service that signed it`);
      }
      checkTemplateFile(parsed, claims);
      const seen = byId.get(claims.id);
      if (seen === undefined || seen.claims.iat < claims.iat) byId.set(claims.id, { token: parsed.token, claims, file: name });
    } catch (error) {
      const code = error instanceof RmsError ? error.code : (error as { code?: string }).code ?? 'IO_ERROR';
      tracer.event('template-skipped', { file: name, code, reason: (error as Error).message, serviceId: slc.claims.sub });
    }
  }
  return [...byId.values()];
}
