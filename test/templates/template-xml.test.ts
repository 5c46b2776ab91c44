/**
 * Template files (UnmanagedTemplates): what `templates export` writes reads back to the same
 * signed template; a file whose readable part was edited, whose signature is another service's
 * or missing, or that is not a template file at all is refused with a coded RmsError; and a
 * seeded mutation fuzzer over real files never gets anything else through.
 */
import { AsymmetricKey, RmsError } from '../../lib';
import { issueSlc, verifySlc } from '../../lib/license/certificates';
import { signTemplate, TemplateContent, verifyTemplate } from '../../lib/license/templates';
import { checkTemplateFile, parseTemplateXml, templateToXml } from '../../lib/templates';
import { localizedText } from '../../lib/templates/localized-text';

const now = 1_800_000_000;
const rsa = () => AsymmetricKey.generate({ type: 'rsa', modulusLength: 2048 });
const service = rsa();
const other = rsa();
const slcOf = (key: AsymmetricKey) => verifySlc(issueSlc({
  name: 'Example', signingKey: key, wrappingKey: key.publicKey(), urls: { intranet: 'https://rms.example.com/_wmcs/licensing', extranet: null, certification: null },
  iat: now - 10, exp: now + 1e6,
}), { pinned: [key.thumbprint()], now });
const slc = slcOf(service);
const content: TemplateContent = {
  id: '0b6a8a52-2f7e-4a5e-9d7c-2f1f0c1d9e11', name: 'Confidential - view only', description: 'Employees may view & <read>',
  names: { fr: 'Confidentiel - lecture seule', 'de-CH': 'Vertraulich' }, descriptions: { fr: 'Les employés peuvent lire' },
  grants: [{ who: 'staff@example.com', rights: ['VIEW'] }, { who: 'boss@example.com', rights: ['VIEW', 'EDIT', 'PRINT'] }],
  contentValidDays: 30, offlineDays: 7, audience: ['@example.com'], iat: now,
};
const token = signTemplate(content, service);
const claims = verifyTemplate(token, slc);
const xml = templateToXml(token, claims, 'https://rms.example.com');

/** Reads a file as the client does: parse, verify the signed part, check the readable part agrees. */
function read(bytes: Buffer | string): void {
  const file = parseTemplateXml(Buffer.from(bytes));
  checkTemplateFile(file, verifyTemplate(file.token, slc));
}

describe('template files', () => {
  it('round-trip: the exported file reads back to the signed template, and a person can read it', () => {
    expect(() => read(xml)).not.toThrow();
    expect(parseTemplateXml(Buffer.from(xml)).token).toBe(token);
    expect(xml).toContain('<Name xml:lang="fr">Confidentiel - lecture seule</Name>');
    expect(xml).toContain('<Grant to="boss@example.com">VIEW EDIT PRINT</Grant>');
    expect(xml).toContain('<ContentValidity days="30"/>');
    expect(xml).toContain('<Member>@example.com</Member>');
    expect(xml).toContain('Employees may view &#38; &#60;read&#62;');
  });

  it('reads a file re-indented by hand (layout does not count)', () => {
    expect(() => read(xml.replace(/\n\s*/g, '\r\n\t\t'))).not.toThrow();
  });

  it('refuses a readable part edited to say something else (LICENSE_SPLICED)', () => {
    for (const edit of [
      xml.replace('VIEW EDIT PRINT', 'VIEW'),
      xml.replace('<ContentValidity days="30"/>', '<ContentValidity unlimited="true"/>'),
      xml.replace('>Confidential - view only<', '>Public<'),
      xml.replace('<Member>@example.com</Member>', '<Member>@partner.com</Member>'),
      xml.replace('</Rights>', '  <Grant to="eve@evil.com">OWNER</Grant>\n  </Rights>'),
    ]) {
      expect(edit).not.toBe(xml);
      expect(() => read(edit)).toThrow(expect.objectContaining({ code: 'LICENSE_SPLICED' }));
    }
  });

  it('refuses a file without a signed template, or whose signature is another service\'s', () => {
    expect(() => read(xml.replace(/<SignedTemplate>.*<\/SignedTemplate>/, ''))).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT', message: expect.stringMatching(/no SignedTemplate/) }));
    const foreign = templateToXml(signTemplate(content, other), claims, 'https://rms.example.com');
    expect(() => read(foreign)).toThrow(expect.objectContaining({ code: 'BROKEN_CERT_CHAIN' }));
    const tampered = xml.replace(token, `${token.slice(0, -4)}AAAA`);
    expect(() => read(tampered)).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
  });

  it('refuses what is not a template file: other XML, DOCTYPE tricks, two roots, huge files', () => {
    const cases = [
      '<Other/>', 'not xml at all', '', `${xml}${xml}`,
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><RightsPolicyTemplate xmlns="urn:openrms:template:1">&a;</RightsPolicyTemplate>',
      xml.replace('urn:openrms:template:1', 'urn:other'),
    ];
    for (const text of cases) expect(() => read(text)).toThrow(RmsError);
    expect(() => parseTemplateXml(Buffer.alloc(1024 * 1024 + 1, 0x20))).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT' }));
  });

  it('fuzz: 3000 seeded mutations of a real file are each read exactly as the original or refused with a coded RmsError', () => {
    let seed = 2026;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const original = Buffer.from(xml);
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < 3000; i++) {
      const bytes = Buffer.from(original);
      const kind = random(4);
      let mutated: Buffer = bytes;
      if (kind === 0) for (let j = 0; j <= random(4); j++) bytes[random(bytes.length)] = random(256);
      else if (kind === 1) mutated = bytes.subarray(0, random(bytes.length));
      else if (kind === 2) {
        const at = random(bytes.length);
        mutated = Buffer.concat([bytes.subarray(0, at), Buffer.from(['<', '>', '&', '"', 'x', ' ', '/', '\u0000'][random(8)]!), bytes.subarray(at)]);
      } else {
        const at = random(bytes.length);
        mutated = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + random(40))]);
      }
      let outcome: string;
      try {
        read(mutated);
        // Accepted: then it must say what the original says (only layout or nothing changed).
        const back = parseTemplateXml(mutated);
        expect(back.token).toBe(token);
        outcome = 'accepted';
      } catch (error) {
        if (!(error instanceof RmsError)) throw new Error(`case ${i}: ${String(error)}`);
        outcome = error.code;
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    expect(Object.keys(outcomes)).toEqual(expect.arrayContaining(['INVALID_FORMAT', 'LICENSE_SPLICED']));
  });
});

describe('names and descriptions in the caller\'s language', () => {
  const names = { fr: 'Confidentiel', 'fr-CA': 'Confidentiel (Canada)', de: 'Vertraulich', 'pt-BR': 'Confidencial' };
  it('takes the exact locale, then fewer subtags, then another region of the language, then the default', () => {
    expect(localizedText(names, 'fr-CA', 'Confidential')).toBe('Confidentiel (Canada)');
    expect(localizedText(names, 'fr-BE', 'Confidential')).toBe('Confidentiel');
    expect(localizedText(names, 'de-AT', 'Confidential')).toBe('Vertraulich');
    expect(localizedText(names, 'pt', 'Confidential')).toBe('Confidencial');
    expect(localizedText(names, 'ja-JP', 'Confidential')).toBe('Confidential');
    expect(localizedText(names, 'FR-ca', 'Confidential')).toBe('Confidentiel (Canada)');
  });
  it('refuses a locale that is not a BCP 47 tag', () => {
    expect(() => localizedText(names, 'not a locale!', 'x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
