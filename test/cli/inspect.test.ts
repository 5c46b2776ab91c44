import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { gcmStream, SecretKey } from '../../lib';
import { requireBuilt, ROOT } from '../support/built-package';
import { TESTDATA_DIR } from '../support/testdata';

const MSFT = path.join(TESTDATA_DIR, 'msft-pfile');

function inspect(...args: string[]) {
  requireBuilt();
  return spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'inspect', ...args], { encoding: 'utf8', timeout: 60000 });
}

const tenant = 'https://c04a2344-eae8-4d4f-89dc-036792332149.rms.na.aadrm.com/_wmcs';

/** Writes `bytes` to a new temporary file named `name`. */
function temporaryFile(name: string, bytes: Uint8Array): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'openrms-inspect-')), name);
  writeFileSync(file, bytes);
  return file;
}

/** CleanAlice.txt.pfile, changed in place by `change`, as a new file. */
function changedCleanAlice(name: string, change: (bytes: Buffer) => void): string {
  const bytes = readFileSync(path.join(MSFT, 'CleanAlice.txt.pfile'));
  change(bytes);
  return temporaryFile(name, bytes);
}

/** A file openrms protected with `license` (any text: inspect reads it without a key). */
const protectedWithLicense = (license: string) =>
  temporaryFile('odd.ptxt', gcmStream.protectBuffer(SecretKey.generate(), Buffer.from(license), Buffer.from('x'), { originalExtension: '.txt' }));

/** An openrms PL with `claims`, unsigned: inspect shows a PL without checking its signature. */
function jws(claims: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k', typ: 'openrms-pl+jws' })}.${part(claims)}.AAAA`;
}

describe('openrms inspect --json on the Microsoft-made files', () => {
  it.each([
    ['CleanAlice.txt.pfile', {
      protected: true,
      container: { version: '3.0', originalExtension: '.txt', cipherMode: null },
      license: {
        format: 'xrml', contentId: '1c5e0307-e03d-4de3-af21-81bcf961e73c', owner: 'alice@isvtenant999.onmicrosoft.com',
        issuedTime: '2017-01-12T19:21:00.000Z', validUntil: '2017-01-14T19:21:00.000Z',
        issuer: { name: 'Microsoft Corporation', url: tenant },
        licensingUrls: { intranet: `${tenant}/licensing`, extranet: `${tenant}/licensing` },
        referralUrl: 'https://client.test.app/',
      },
    }],
    ['android_template_01.ptxt', {
      protected: true,
      container: { version: '2.0', originalExtension: '.txt', cipherMode: null },
      license: {
        format: 'xrml', contentId: '03527b60-0416-4103-ad05-5f9f510e55e3', owner: 'bob@isvtenant999.onmicrosoft.com',
        issuedTime: '2014-01-22T08:20:00.000Z', validUntil: null,
        issuer: { name: 'Microsoft Corporation', url: tenant },
        licensingUrls: { intranet: `${tenant}/licensing`, extranet: `${tenant}/licensing` },
        referralUrl: null,
      },
    }],
    ['rmsSharingAliceTest.ptxt', {
      protected: true,
      container: { version: '2.1', originalExtension: '.txt', cipherMode: null },
      license: {
        format: 'xrml', contentId: 'debdf9d5-a0a7-4b1a-acbd-fa431b8a710a', owner: 'admuller@microsoft.com',
        issuedTime: '2016-12-21T01:31:00.000Z', validUntil: null,
        // Issued by a user, named by email addresses only: no URL.
        issuer: { name: 'admuller@microsoft.com', url: null },
        licensingUrls: {
          intranet: 'https://48fc04bd-c84b-44ac-91b7-a4c5eefd5ac1.rms.na.aadrm.com/_wmcs/licensing',
          extranet: 'https://48fc04bd-c84b-44ac-91b7-a4c5eefd5ac1.rms.na.aadrm.com/_wmcs/licensing',
        },
        referralUrl: 'admuller@microsoft.com',
      },
    }],
  ])('%s', (file, expected) => {
    const result = inspect(path.join(MSFT, file), '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expected);
  });
});

describe('openrms inspect, other files', () => {
  it('reports a file that is not protected as {"protected": false} and exits 0', () => {
    const result = inspect(path.join(ROOT, 'package.json'), '--json');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ protected: false });
  });

  it('reports the cipher mode of a file openrms protected', () => {
    const result = inspect(protectedWithLicense('opaque license'), '--json');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      protected: true, container: { version: '3.0', originalExtension: '.txt', cipherMode: 'AES256-GCM-STREAM' },
    });
  });

  it('shows an openrms license in clear, and no date where the license has an impossible one', () => {
    const license = jws({ cid: '6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f', own: 'alice@contoso.com', iat: 1e300, pol: { contentValidUntil: 'soon' } });
    const result = inspect(protectedWithLicense(license), '--json');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).license).toMatchObject({ format: 'jws', owner: 'alice@contoso.com', issuedTime: null, validUntil: null });
  });

  it('shows only what an openrms license gives with the right type: no number for a URL, no date before 1970', () => {
    const file = protectedWithLicense(jws({ cid: 42, iat: -86400, iss: 'svc', pol: { contentValidUntil: 1.5 }, urls: { intranet: 5, extranet: { href: 'x' } } }));
    const result = inspect(file, '--json');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).license).toEqual({
      format: 'jws', contentId: null, owner: null, issuedTime: null, validUntil: null,
      issuer: { name: 'svc', url: null }, licensingUrls: { intranet: null, extranet: null }, referralUrl: null,
    });
  });

  it('escapes control characters a license puts in the text summary, so it cannot forge a line or drive the terminal', () => {
    const owner = 'mallory\n  licensing (extranet)  https://evil.example/\u001b[2J\u202e';
    const result = inspect(protectedWithLicense(jws({ own: owner, iat: 1484248860 })));
    expect(result.status).toBe(0);
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(result.stdout.split('\n').filter((l) => l.includes('licensing (extranet)'))).toHaveLength(2);
    expect(result.stdout).toContain('owner                 mallory\\n  licensing (extranet)  https://evil.example/\\u001b[2J\\u202e\n');
  });

  it('escapes what every field of an unverified license and the container say, and the file name, in text and in JSON', () => {
    const hostile = (what: string) => `${what}\u001b]8;;https://evil.example/\u0007\u202e\u2066\u009b2J\u2028`;
    const claims = {
      cid: hostile('cid'), own: hostile('owner'), iss: hostile('issuer'), ref: hostile('referral'),
      urls: { intranet: hostile('https://intranet'), extranet: hostile('https://extranet') }, iat: 1484248860,
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'openrms-inspect-'));
    const file = path.join(dir, 'evil\u001b[2J\u202e.ptxt');
    // The container's original extension may hold a bidi override or a C1 control (only C0 controls are refused when writing).
    writeFileSync(file, gcmStream.protectBuffer(SecretKey.generate(), Buffer.from(jws(claims)), Buffer.from('x'), { originalExtension: '.\u202etxt\u009b' }));
    const terminalControls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
    const text = inspect(file);
    expect(text.status).toBe(0);
    expect(text.stdout).not.toMatch(terminalControls);
    expect(text.stdout).toContain('original extension .\\u202etxt\\u009b)');
    expect(text.stdout).toContain('evil\\u001b[2J\\u202e.ptxt: protected');
    expect(text.stdout).toContain('issuer                issuer\\u001b]8;;https://evil.example/\\u0007\\u202e\\u2066\\u009b2J\\u2028 (https://extranet');
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(11);
    const json = inspect(file, '--json');
    expect(json.stdout).not.toMatch(terminalControls);
    expect(JSON.parse(json.stdout)).toMatchObject({
      container: { originalExtension: '.\u202etxt\u009b' },
      license: { contentId: claims.cid, owner: claims.own, issuer: { name: claims.iss }, referralUrl: claims.ref, licensingUrls: claims.urls },
    });
  });

  it('prints a human summary without --json', () => {
    const result = inspect(path.join(MSFT, 'CleanAlice.txt.pfile'));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('protected (PFILE 3.0, original extension .txt)');
    expect(result.stdout).toContain('alice@isvtenant999.onmicrosoft.com');
  });

  it.each([
    ['a missing file', () => path.join(tmpdir(), 'openrms-no-such-file.pfile'), /^error: FILE_NOT_FOUND: /],
    ['a PFILE whose header lies', () => changedCleanAlice('liar.pfile', (b) => b.writeUInt32LE(0x7fffffff, 414 + 16)), // plLength
      /^error: INVALID_FORMAT: /],
    ['a PFILE whose license has a time that is not a date', () => changedCleanAlice('february30.pfile', (b) => {
      b.write('2017-02-30T19:21', b.indexOf('2017-01-12T19:21')); // the ISSUEDTIME
    }), /^error: INVALID_FORMAT: not a valid XrML license: the time "2017-02-30T19:21" is not a date/],
    ['a PFILE whose XrML names a licensing service by a URL that is not one', () => changedCleanAlice('not-a-service.pfile', (b) => {
      b.write('file:/', b.indexOf(`${tenant}/licensing`)); // the intranet licensing URL, now file:///c04a...
    }), /^error: INVALID_FORMAT: .*licensing URL "file:\/\/\/c04a2344/],
    ['a PFILE whose license is not well-formed XML', () => changedCleanAlice('broken.pfile', (b) => {
      b.write('<XrML><BODY></XrML', 458 + 3); // inside the license, after its BOM
    }), /^error: INVALID_FORMAT: /],
  ])('fails on %s with error: CODE: message and exit 1 (with --json: the error as JSON on stdout)', (_name, makeFile, pattern) => {
    const file = makeFile();
    const result = inspect(file);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    const json = inspect(file, '--json');
    expect(json.status).toBe(1);
    expect(json.stderr).toBe('');
    const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string } };
    expect(`error: ${error.code}: ${error.message}`).toMatch(pattern);
  });

  it('refuses a missing file argument as a usage error (exit 2)', () => {
    const result = inspect('--json');
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining("missing required argument 'file'") });
  });
});
