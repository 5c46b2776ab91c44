/**
 * Template files for the `UnmanagedTemplates` folder (docs/templates.md): `openrms templates
 * export` writes a template as XML a person can read (names, descriptions, who gets which
 * rights, validity, audience) followed by the template as the service signed it. The signed
 * part is what counts. On reading, the readable part must say exactly what the signed part
 * says (whitespace and indentation aside): a file edited by hand to read "view only" while it
 * grants more is refused, so what an administrator reads is what the client applies.
 */
import { RmsError } from '../errors';
import { decodeJws } from '../license/jws';
import { TemplateClaims } from '../license/templates';
import { parseXmlElements, XmlElement } from '../license/xml-tree';

export const TEMPLATE_XML_NAMESPACE = 'urn:openrms:template:1';
/** A template is a few KiB; anything much larger is not one. */
export const MAX_TEMPLATE_XML_BYTES = 1024 * 1024;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
    // Characters XML 1.0 cannot carry even escaped: a template's text never has them.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
}

function element(name: string, attributes: Record<string, string | number>, content: string | null, indent: string): string {
  const attrs = Object.entries(attributes).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
  return content === null ? `${indent}<${name}${attrs}/>` : `${indent}<${name}${attrs}>${content}</${name}>`;
}

/** The XML file of a template signed by the service at `issuerUrl`. */
export function templateToXml(token: string, claims: TemplateClaims, issuerUrl: string): string {
  const localized = (name: string, fallback: string, texts: Record<string, string>) => [
    element(name, {}, escapeXml(fallback), '  '),
    ...Object.keys(texts).sort().map((lang) => element(name, { 'xml:lang': lang }, escapeXml(texts[lang]!), '  ')),
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- A rights policy template signed by its licensing service. Place it in the UnmanagedTemplates',
    '     folder to use it without downloading. The readable part restates SignedTemplate, which is',
    '     what counts; a file whose readable part says anything else is refused. -->',
    `<RightsPolicyTemplate xmlns="${TEMPLATE_XML_NAMESPACE}" id="${escapeXml(claims.id)}" issuer="${escapeXml(issuerUrl)}" updated="${new Date(claims.iat * 1000).toISOString()}">`,
    ...localized('Name', claims.name, claims.names),
    ...localized('Description', claims.description, claims.descriptions),
    '  <Rights>',
    ...claims.grants.map((g) => element('Grant', { to: g.who }, escapeXml(g.rights.join(' ')), '    ')),
    '  </Rights>',
    element('ContentValidity', claims.contentValidDays === null ? { unlimited: 'true' } : { days: claims.contentValidDays }, null, '  '),
    element('OfflineAccess', { days: claims.offlineDays }, null, '  '),
    claims.audience.length === 0 ? element('Audience', { everyone: 'true' }, null, '  ')
      : ['  <Audience>', ...claims.audience.map((who) => element('Member', {}, escapeXml(who), '    ')), '  </Audience>'].join('\n'),
    element('SignedTemplate', {}, token, '  '),
    '</RightsPolicyTemplate>',
  ];
  return `${lines.join('\n')}\n`;
}

/** What a template file holds: the signed template, and the issuer URL it names. */
export interface TemplateFile {
  token: string;
  issuerUrl: string;
  root: XmlElement;
}

function invalidFile(reason: string, cause?: unknown): RmsError {
  return new RmsError('INVALID_FORMAT', `not an openrms template file: ${reason}`, cause === undefined ? {} : { cause });
}

/** Reads a template file's structure (INVALID_FORMAT when it is not one); `checkTemplateFile` then checks it says what is signed. */
export function parseTemplateXml(bytes: Buffer): TemplateFile {
  if (bytes.length > MAX_TEMPLATE_XML_BYTES) throw invalidFile(`larger than ${MAX_TEMPLATE_XML_BYTES} bytes`);
  const text = bytes.toString('utf8');
  if (text.includes('\ufffd') && !bytes.includes(Buffer.from('\ufffd'))) throw invalidFile('not UTF-8 text');
  let roots: XmlElement[];
  try {
    roots = parseXmlElements(text);
  } catch (cause) {
    throw invalidFile('malformed XML', cause);
  }
  const root = roots[0];
  if (roots.length !== 1 || root === undefined || root.name !== 'RightsPolicyTemplate' || root.attributes.xmlns !== TEMPLATE_XML_NAMESPACE) {
    throw invalidFile(`one RightsPolicyTemplate element in the ${TEMPLATE_XML_NAMESPACE} namespace expected`);
  }
  const signed = root.children.filter((c) => c.name === 'SignedTemplate');
  if (signed.length !== 1) throw invalidFile('it has no SignedTemplate (an unsigned template is never used)');
  const token = signed[0]!.text.trim();
  try {
    decodeJws(token);
  } catch (cause) {
    throw invalidFile('SignedTemplate is not a signed template', cause);
  }
  const issuerUrl = root.attributes.issuer;
  if (issuerUrl === undefined) throw invalidFile('it names no issuer');
  return { token, issuerUrl, root };
}

/** The element tree without layout: whitespace between elements and around text does not count. */
function shape(e: XmlElement): unknown {
  const attributes = Object.keys(e.attributes).sort().map((k) => [k, e.attributes[k]]);
  return [e.name, attributes, e.text.trim(), e.children.map(shape)];
}

/**
 * Refuses a file whose readable part is not exactly what `claims` (verified from its signed
 * part) and its issuer say: LICENSE_SPLICED, since the two halves come from different templates
 * or one was edited.
 */
export function checkTemplateFile(file: TemplateFile, claims: TemplateClaims): void {
  const expected = parseXmlElements(templateToXml(file.token, claims, file.issuerUrl))[0]!;
  if (JSON.stringify(shape(expected)) !== JSON.stringify(shape(file.root))) {
    throw new RmsError('LICENSE_SPLICED', `the readable part of template file ${claims.id} does not say what its signed template says`);
  }
}
