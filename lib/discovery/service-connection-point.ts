/**
 * The AD RMS service connection point: the object `CN=SCP,CN=RightsManagementServices,
 * CN=Services,<configuration naming context>` (its path below the naming context is the
 * `ScpPath` setting), whose `serviceBindingInformation` holds the licensing service's URL. What
 * the AD RMS console's "SCP" tab registers, changes and removes; what clients read to find the
 * service.
 */
import { RmsError } from '../errors';
import { DirectorySession } from './directory-session';

const BINDING = 'serviceBindingInformation';

/** The SCP's DN in the directory: `scpPath` below the configuration naming context. */
export async function scpDn(session: DirectorySession, scpPath: string): Promise<string> {
  return `${scpPath},${await session.configurationNamingContext()}`;
}

/** The URLs the SCP holds (its http(s) ones, in order); null when there is no SCP. */
export async function readScp(session: DirectorySession, dn: string): Promise<string[] | null> {
  const values = await session.read(dn, BINDING);
  return values === null ? null : values.filter(isServiceUrl);
}

function isServiceUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** `CN=A,CN=B,CN=C` -> the RDNs, outermost last (a comma escaped with `\` stays in its RDN). */
function rdnsOf(path: string): string[] {
  return path.split(/(?<!\\),/).map((rdn) => rdn.trim());
}

/**
 * Registers `url` at the SCP: creates the SCP (and any container of `scpPath` missing below the
 * naming context, as the console creates `CN=RightsManagementServices`) or replaces the URL it
 * holds. Says whether it was created.
 */
export async function registerScp(session: DirectorySession, scpPath: string, url: string): Promise<{ dn: string; created: boolean }> {
  if (!isServiceUrl(url)) throw new RmsError('INVALID_ARGUMENT', `${JSON.stringify(url)} is not an http(s) URL`, { argument: 'url' });
  const context = await session.configurationNamingContext();
  const rdns = rdnsOf(scpPath);
  const dn = `${scpPath},${context}`;
  if ((await session.read(dn, BINDING)) !== null) {
    await session.replace(dn, BINDING, [url]);
    return { dn, created: false };
  }
  // The containers from the outermost in; an existing one is left as it is.
  for (let i = rdns.length - 1; i >= 1; i -= 1) {
    const container = `${rdns.slice(i).join(',')},${context}`;
    if ((await session.read(container, 'objectClass')) === null) await session.add(container, { objectClass: ['container'], cn: [valueOf(rdns[i]!)] });
  }
  await session.add(dn, { objectClass: ['serviceConnectionPoint'], cn: [valueOf(rdns[0]!)], [BINDING]: [url] });
  return { dn, created: true };
}

/** Removes the SCP (the containers stay, as the console leaves them); says whether there was one. */
export async function removeScp(session: DirectorySession, scpPath: string): Promise<{ dn: string; removed: boolean }> {
  const dn = await scpDn(session, scpPath);
  if ((await session.read(dn, 'objectClass')) === null) return { dn, removed: false };
  await session.delete(dn);
  return { dn, removed: true };
}

/** `CN=SCP` -> `SCP`. */
function valueOf(rdn: string): string {
  return rdn.slice(rdn.indexOf('=') + 1).trim();
}
