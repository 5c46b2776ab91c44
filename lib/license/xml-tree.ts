/**
 * A small element tree built with a strict, non-validating SAX parser (saxes). It never
 * fetches or expands external entities or DTDs, so untrusted license XML cannot reach the
 * network or blow up in memory through entity expansion. Mixed content is kept as the
 * concatenated text (and CDATA) of each element.
 */
import { SaxesParser } from 'saxes';

import { RmsError } from '../errors';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

// A license is a few hundred KiB at most; the container caps it at 16 MiB.
const MAX_DEPTH = 64;

/**
 * Parses a sequence of top-level elements (a publishing license followed by its certificate
 * chain is several XrML documents back to back). A leading XML declaration is allowed.
 */
export function parseXmlElements(text: string): XmlElement[] {
  const parser = new SaxesParser({ fragment: true });
  const roots: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.on('opentag', (tag) => {
    if (stack.length >= MAX_DEPTH) {
      failure ??= new Error(`elements nested deeper than ${MAX_DEPTH}`);
      return;
    }
    const element: XmlElement = { name: tag.name, attributes: { ...(tag.attributes as Record<string, string>) }, children: [], text: '' };
    (stack.length > 0 ? stack[stack.length - 1]!.children : roots).push(element);
    stack.push(element);
  });
  // A CDATA section is text written another way: <NAME><![CDATA[a@b]]></NAME> names a@b.
  const addText = (value: string) => {
    if (stack.length > 0) stack[stack.length - 1]!.text += value;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    stack.pop();
  });
  try {
    parser.write(stripDeclaration(text)).close();
  } catch (error) {
    failure ??= error as Error;
  }
  if (failure !== undefined) throw new RmsError('INVALID_FORMAT', `malformed license XML: ${failure.message}`, { cause: failure });
  return roots;
}

/** The XML declaration is only legal at the start of a document, not of a fragment. */
function stripDeclaration(text: string): string {
  const body = text.trimStart();
  if (!body.startsWith('<?xml')) return body;
  const end = body.indexOf('?>');
  return end < 0 ? body : body.slice(end + 2);
}

/** The first child named `name`, if any. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** Follows a path of child names from `element`. */
export function descend(element: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  return names.reduce<XmlElement | undefined>((at, name) => child(at, name), element);
}

export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((c) => c.name === name) ?? [];
}
