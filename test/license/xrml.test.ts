import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { isXrml, parsePfile, readXrmlLicense } from '../../lib';
import { TESTDATA_DIR } from '../support/testdata';

const point = (type: string, addresses: string) => `<DISTRIBUTIONPOINT><OBJECT type="${type}">${addresses}</OBJECT></DISTRIBUTIONPOINT>`;
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
    ['an MS-GUID content ID that is not a GUID', minimal('<WORK><OBJECT><ID type="MS-GUID">invalid</ID></OBJECT></WORK>')],
    ['an MS-GUID content ID with one brace', minimal('<WORK><OBJECT><ID type="MS-GUID">{1c5e0307-e03d-4de3-af21-81bcf961e73c</ID></OBJECT></WORK>')],
    ['a licensing URL that is not an http(s) URL', minimal(point('License-Acquisition-URL', '<ADDRESS type="URL">licensing</ADDRESS>'))],
    ['an extranet licensing URL of another scheme', minimal(point('Extranet-License-Acquisition-URL', '<ADDRESS type="URL">file:///etc/passwd</ADDRESS>'))],
    ['an issuer URL that is not a URL', minimal('<ISSUER><OBJECT type="MS-DRM-Server"><ADDRESS type="URL">someone@x</ADDRESS></OBJECT></ISSUER>')],
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

const MSFT = path.join(TESTDATA_DIR, 'msft-pfile');
const licenseOf = (file: string) => parsePfile(readFileSync(path.join(MSFT, file))).license.text;

describe('addresses: a URL only where the XrML says URL', () => {
  // The issuer of rmsSharingAliceTest.ptxt (made by Microsoft's sharing app), cut to its
  // addresses: a user, named by email aliases and an identity provider, with no URL.
  const sharingIssuer = '<ISSUER><OBJECT type="Group-Identity"><ID type="Federation">{1a43c62b-b0c1-4030-bfb2-a3fcdfc844ff}</ID>' +
    '<NAME>admuller@microsoft.com</NAME><ADDRESS type="email_alias">admuller@service.microsoft.com</ADDRESS>' +
    '<ADDRESS type="email_alias">admuller@microsoft.onmicrosoft.com</ADDRESS>' +
    '<ADDRESS type="idp">https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/</ADDRESS></OBJECT></ISSUER>';
  const server = 'https://c04a2344-eae8-4d4f-89dc-036792332149.rms.na.aadrm.com/_wmcs';

  it('gives an issuer named only by email addresses no URL', () => {
    expect(readXrmlLicense(minimal(sharingIssuer)).issuer).toEqual({ name: 'admuller@microsoft.com', url: null });
    const emailOnly = '<ISSUER><OBJECT><NAME>Alice</NAME><ADDRESS type="email">alice@contoso.com</ADDRESS></OBJECT></ISSUER>';
    expect(readXrmlLicense(minimal(emailOnly)).issuer).toEqual({ name: 'Alice', url: null });
  });

  it('takes the issuer URL from its address of type URL, whatever its case and place', () => {
    const issuer = (addresses: string) => minimal(`<ISSUER><OBJECT type="MS-DRM-Server"><NAME>RMS</NAME>${addresses}</OBJECT></ISSUER>`);
    expect(readXrmlLicense(issuer(`<ADDRESS type="email">rms@contoso.com</ADDRESS><ADDRESS type="URL">${server}</ADDRESS>`)).issuer.url).toBe(server);
    expect(readXrmlLicense(issuer(`<ADDRESS type="url">${server}</ADDRESS>`)).issuer.url).toBe(server);
    expect(readXrmlLicense(issuer(`<ADDRESS>${server}</ADDRESS>`)).issuer.url).toBeNull();
  });

  it('takes a licensing URL from the address of type URL of its distribution point', () => {
    const info = readXrmlLicense(minimal(
      point('License-Acquisition-URL', `<ADDRESS type="email">admin@contoso.com</ADDRESS><ADDRESS type="URL">${server}/licensing</ADDRESS>`) +
      point('extranet-license-acquisition-url', `<ADDRESS type="Url">${server}/licensing</ADDRESS>`) +
      point('Referral-Info', '<ADDRESS type="email">help@contoso.com</ADDRESS>')));
    expect(info.licensingUrls).toEqual({ intranet: `${server}/licensing`, extranet: `${server}/licensing` });
    expect(info.referralUrl).toBeNull();
  });

  it('reads the three Microsoft-made licenses: a server issuer has a URL, a user issuer none', () => {
    expect(readXrmlLicense(licenseOf('CleanAlice.txt.pfile')).issuer).toEqual({ name: 'Microsoft Corporation', url: server });
    expect(readXrmlLicense(licenseOf('android_template_01.ptxt')).issuer).toEqual({ name: 'Microsoft Corporation', url: server });
    const sharing = readXrmlLicense(licenseOf('rmsSharingAliceTest.ptxt'));
    expect(sharing.issuer).toEqual({ name: 'admuller@microsoft.com', url: null });
    // Its Referral-Info address is of type URL but holds an email address: reported as written.
    expect(sharing.referralUrl).toBe('admuller@microsoft.com');
  });
});

describe('content IDs by their type', () => {
  const work = (id: string) => minimal(`<WORK><OBJECT>${id}</OBJECT></WORK>`);

  it('writes an MS-GUID ID as a lower-case GUID, braces or not, the type in any case', () => {
    expect(readXrmlLicense(work('<ID type="MS-GUID">{DEBDF9D5-A0A7-4B1A-ACBD-FA431B8A710A}</ID>')).contentId).toBe('debdf9d5-a0a7-4b1a-acbd-fa431b8a710a');
    expect(readXrmlLicense(work('<ID type="ms-guid">DEBDF9D5-A0A7-4B1A-ACBD-FA431B8A710A</ID>')).contentId).toBe('debdf9d5-a0a7-4b1a-acbd-fa431b8a710a');
  });

  it('reports an ID of another type as written', () => {
    expect(readXrmlLicense(work('<ID type="Custom">{Report-2020/Q1}</ID>')).contentId).toBe('{Report-2020/Q1}');
  });
});

describe('times: exactly the instant the XrML writes, or INVALID_FORMAT', () => {
  const issued = (value: string) => readXrmlLicense(minimal(`<ISSUEDTIME>${value}</ISSUEDTIME>`)).issuedTime?.toISOString();

  it.each([
    ['2017-01-12T19:21', '2017-01-12T19:21:00.000Z'],
    ['2017-01-12T19:21:07', '2017-01-12T19:21:07.000Z'],
    ['2017-01-12T19:21:07.5Z', '2017-01-12T19:21:07.500Z'],
    ['2017-01-12T19:21+01:00', '2017-01-12T18:21:00.000Z'],
    ['2017-01-12T00:30-05:30', '2017-01-12T06:00:00.000Z'],
    ['2016-02-29T23:59', '2016-02-29T23:59:00.000Z'],
    ['0099-06-01T00:00', '0099-06-01T00:00:00.000Z'],
  ])('reads %s as %s', (value, iso) => {
    expect(issued(value)).toBe(iso);
  });

  it.each([
    ['a day the month does not have', '2017-02-30T19:21'],
    ['February 29 of a common year', '2017-02-29T19:21'],
    ['month 13', '2017-13-01T19:21'],
    ['hour 24', '2017-01-12T24:00'],
    ['minute 60', '2017-01-12T19:60'],
    ['a leap second', '2016-12-31T23:59:60'],
    ['a zone 15 hours away', '2017-01-12T19:21+15:00'],
    ['a bare number', '12'],
    ['two numbers', '1 2'],
    ['a year alone', '2017'],
    ['a date without a time', '2017-01-12'],
    ['a space for the T', '2017-01-12 19:21'],
    ['a year past 9999', '+275760-09-13T00:00:00'],
    ['an English date', 'Jan 12 2017'],
  ])('refuses %s (%s)', (_name, value) => {
    expect(() => issued(value)).toThrow(expect.objectContaining({ code: 'INVALID_FORMAT' }));
  });

  it('refuses an impossible validity end the same way', () => {
    expect(() => readXrmlLicense(minimal('<VALIDITYTIME><UNTIL>2017-04-31T00:00</UNTIL></VALIDITYTIME>'))).toThrow(
      expect.objectContaining({ code: 'INVALID_FORMAT' }));
  });
});

it('reads text written as CDATA like any other text', () => {
  expect(readXrmlLicense(minimal('<WORK><METADATA><OWNER><OBJECT><NAME><![CDATA[alice@contoso.com]]></NAME></OBJECT></OWNER></METADATA></WORK>')).owner)
    .toBe('alice@contoso.com');
});
