/**
 * The administrator's TrustedServers policy (issue 11) as the transport asks it: which server a
 * URL may reach, from the settings as an administrator writes them (DNS names and URLs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { loadClientSettings, RmsError, SettingsOverrides } from '../../lib';
import { allOf, ENROLLED_ONLY, requireTrusted, ServiceAllowList, TrustedServersPolicy } from '../../lib/transport/trust-policy';

let empty: string;
beforeAll(() => {
  empty = mkdtempSync(path.join(os.tmpdir(), 'openrms-trust-policy-'));
});
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** The policy of settings passed in code (no registry, no environment). */
function policyOf(overrides: SettingsOverrides, alsoTrusted: string[] = []): TrustedServersPolicy {
  const settings = loadClientSettings({ storeRoot: empty, machineFolder: path.join(empty, 'machine'), env: {}, overrides });
  return new TrustedServersPolicy(() => settings.trustedServers, () => alsoTrusted);
}

const allows = (policy: TrustedServersPolicy, url: string) => policy.allows(new URL(url));

describe('TrustedServersPolicy', () => {
  it('allows every server without AllowTrustedServersOnly, whatever the list says', () => {
    const policy = policyOf({ allowTrustedServersOnly: false, trustedServers: ['rms.contoso.com'] });
    expect(allows(policy, 'http://elsewhere.example:8080')).toBe(true);
  });

  it('allows a DNS name entry\'s host at any port over HTTP or HTTPS, and no other host', () => {
    const policy = policyOf({ allowTrustedServersOnly: true, trustedServers: ['RMS.Contoso.com'] });
    expect(['https://rms.contoso.com', 'http://rms.contoso.com:8080/_wmcs', 'https://rms.contoso.com.:443'].map((url) => allows(policy, url)))
      .toEqual([true, true, true]);
    expect(['https://contoso.com', 'https://evil.rms.contoso.com', 'https://rms.contoso.com.evil.example'].map((url) => allows(policy, url)))
      .toEqual([false, false, false]);
  });

  it('allows an https:// entry\'s host over HTTPS only, saying so', () => {
    const policy = policyOf({ allowTrustedServersOnly: true, trustedServers: ['https://rms.contoso.com'] });
    expect(allows(policy, 'https://rms.contoso.com:8443')).toBe(true);
    expect(allows(policy, 'http://rms.contoso.com')).toBe(false);
    expect(policy.explain(new URL('http://rms.contoso.com'))).toContain('HTTPS only');
    // An http:// entry, or a DNS name beside the https:// one, lets HTTP through.
    expect(allows(policyOf({ allowTrustedServersOnly: true, trustedServers: ['http://rms.contoso.com'] }), 'https://rms.contoso.com')).toBe(true);
    expect(allows(policyOf({ allowTrustedServersOnly: true, trustedServers: ['https://rms.contoso.com', 'rms.contoso.com'] }), 'http://rms.contoso.com'))
      .toBe(true);
  });

  it('allows the servers it is told to trust besides the list (the configured cloud service)', () => {
    const policy = policyOf({ allowTrustedServersOnly: true, trustedServers: [] }, ['https://cloud.example/_wmcs']);
    expect(allows(policy, 'https://cloud.example')).toBe(true);
    expect(allows(policy, 'http://cloud.example')).toBe(false);
  });

  it('reads the setting when asked, so a trust list written wrong fails the request, not the client', () => {
    const policy = new TrustedServersPolicy(() => {
      throw new RmsError('INVALID_SETTING', 'TrustedServers\\x is neither a DNS name nor an http(s) URL');
    });
    expect(() => policy.allows(new URL('https://rms.contoso.com'))).toThrow(expect.objectContaining({ code: 'INVALID_SETTING' }));
  });
});

describe('requireTrusted', () => {
  it('throws SERVICE_NOT_TRUSTED naming the server and why', () => {
    const policy = policyOf({ allowTrustedServersOnly: true, trustedServers: ['rms.contoso.com'] });
    let error: unknown;
    try {
      requireTrusted(policy, new URL('https://evil.example:8443/_wmcs/certification'));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'SERVICE_NOT_TRUSTED', serviceUrl: 'https://evil.example:8443', host: 'evil.example:8443' });
    expect((error as Error).message).toContain('TrustedServers does not list evil.example');
    expect(() => requireTrusted(policy, new URL('https://rms.contoso.com/_wmcs'))).not.toThrow();
    expect(() => requireTrusted(undefined, new URL('https://evil.example'))).not.toThrow();
  });
});

describe('allOf', () => {
  it('allows a server only when every policy does: an application\'s allow-list cannot widen the administrator\'s list', () => {
    const administrator = policyOf({ allowTrustedServersOnly: true, trustedServers: ['rms.contoso.com'] });
    const application = new ServiceAllowList(['https://rms.contoso.com', 'https://partner.example']);
    const both = allOf(application, administrator);
    expect(['https://rms.contoso.com', 'https://partner.example', 'https://other.example'].map((url) => both.allows(new URL(url)))).toEqual([true, false, false]);
    expect(both.explain!(new URL('https://partner.example'))).toContain('TrustedServers does not list partner.example');
    expect(allOf(ENROLLED_ONLY, administrator).allows(new URL('https://rms.contoso.com'))).toBe(false);
  });
});
