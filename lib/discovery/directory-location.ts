/**
 * Which directory holds the service connection point: the `Directory` setting's, else one the
 * `_ldap._tcp.<domain>` SRV records name (the domain: `DirectoryDomain`, else the user's).
 */
import { RmsError } from '../errors';
import { ClientSettings } from '../settings';
import { DirectorySession } from './directory-session';
import { MAX_SRV_TARGETS, SrvResolver, SrvTarget } from './dns-srv';

/** An SRV target as an LDAP URL: LDAPS on its own port (636), plain LDAP (StartTLS when configured) on any other. */
export function ldapUrlOf(target: SrvTarget): string {
  return `${target.port === 636 ? 'ldaps' : 'ldap'}://${target.name.replace(/\.$/, '')}:${target.port}`;
}

/**
 * A session with the configured directory, bound with the configured credentials (what
 * `openrms scp` works against): the first of the directories that connects. INVALID_ARGUMENT
 * when no directory is configured; the last directory's failure when none connects.
 */
export async function openConfiguredDirectory(settings: ClientSettings, ca?: string | Buffer): Promise<DirectorySession> {
  const d = settings.directory;
  let urls: string[];
  if (d.url !== undefined) {
    urls = [d.url];
  } else if (d.domain !== undefined) {
    const name = `_ldap._tcp.${d.domain}`;
    urls = (await new SrvResolver(settings.dnsServers).lookup(name)).slice(0, MAX_SRV_TARGETS).map(ldapUrlOf);
    if (urls.length === 0) throw new RmsError('NOT_FOUND', `no directory: DNS has no SRV record ${name}`);
  } else {
    throw new RmsError('INVALID_ARGUMENT', 'no directory configured: set Discovery\\Directory (OPENRMS_DIRECTORY) or DirectoryDomain (OPENRMS_DIRECTORY_DOMAIN)', { argument: 'directory' });
  }
  let failure: unknown;
  for (const url of urls) {
    try {
      return await DirectorySession.open({ url, startTls: d.startTls, bindDn: d.bindDn, passwordFile: d.passwordFile, ca });
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}
