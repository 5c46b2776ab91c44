import { isXrml, readXrmlLicense } from '../../lib';

const minimal = (body: string) => `<?xml version="1.0"?><XrML version="1.2"><BODY type="Microsoft Rights Label">${body}</BODY></XrML>`;

describe('XrML publishing licenses', () => {
  it('reads the fields from a minimal license, leaving absent ones null', () => {
    const info = readXrmlLicense(minimal(
      '<ISSUEDTIME>2020-02-03T04:05</ISSUEDTIME><WORK><OBJECT><ID type="MS-GUID">{ABCDEF01-2345-6789-ABCD-EF0123456789}</ID></OBJECT></WORK>'));
    expect(info.contentId).toBe('abcdef01-2345-6789-abcd-ef0123456789');
    expect(info.issuedTime?.toISOString()).toBe('2020-02-03T04:05:00.000Z');
    expect(info.owner).toBeNull();
    expect(info.validUntil).toBeNull();
    expect(info.licensingUrls).toEqual({ intranet: null, extranet: null });
  });

  it('reads only the first document when certificates follow it', () => {
    const text = `${minimal('<WORK><METADATA><OWNER><OBJECT><NAME>first@example.com</NAME></OBJECT></OWNER></METADATA></WORK>')}` +
      '<XrML version="1.2"><BODY><WORK><METADATA><OWNER><OBJECT><NAME>second@example.com</NAME></OBJECT></OWNER></METADATA></WORK></BODY></XrML>';
    expect(readXrmlLicense(text).owner).toBe('first@example.com');
  });

  it.each([
    ['unclosed elements', '<XrML><BODY>'],
    ['mismatched tags', '<XrML><BODY></XrML></BODY>'],
    ['another root element', '<Other/>'],
    ['no BODY', '<XrML version="1.2"/>'],
    ['a time that is not a date', minimal('<ISSUEDTIME>yesterday</ISSUEDTIME>')],
    ['an undeclared entity', minimal('<ISSUEDTIME>&boom;</ISSUEDTIME>')],
    ['nesting deeper than 64 elements', `<XrML><BODY>${'<a>'.repeat(80)}${'</a>'.repeat(80)}</BODY></XrML>`],
  ])('refuses %s with INVALID_FORMAT', (_name, text) => {
    expect(() => readXrmlLicense(text)).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT' }));
  });

  it('never expands entities declared in a DTD (no entity-expansion blow-up)', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE XrML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
      '<XrML><BODY><WORK><METADATA><OWNER><OBJECT><NAME>&b;</NAME></OBJECT></OWNER></METADATA></WORK></BODY></XrML>';
    let owner: string | null | undefined;
    try {
      owner = readXrmlLicense(bomb).owner;
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_FORMAT' });
      return;
    }
    expect(owner).not.toContain('aaaaaaaaaa');
  });

  it('tells XrML from other license text', () => {
    expect(isXrml(minimal(''))).toBe(true);
    expect(isXrml('<XrML/>')).toBe(true);
    expect(isXrml('eyJhbGciOiJSUzI1NiJ9.e30.sig')).toBe(false);
  });
});
