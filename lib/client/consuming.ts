/**
 * Consuming (IpcGetKey): a verified PL turned into a ContentLicense at the service that
 * published it, from a cached use license while it is valid, else from the service (then kept
 * when the license allows offline use).
 */
import { RmsError } from '../errors';
import { VerifiedPl } from '../license/publishing-license';
import { openUlContentKey, verifyUl } from '../license/use-license';
import { GetContentKeyOptions } from './client-options';
import { ContentLicense } from './content-license';
import { ServiceSession } from './service-session';
import { UseLicenseCache } from './use-license-cache';

export async function getContentKey(session: ServiceSession, pl: VerifiedPl, cache: UseLicenseCache,
  o: GetContentKeyOptions & { now: number }): Promise<ContentLicense> {
  const cid = pl.claims.cid;
  let ul = cache.find(session, pl.claims);
  const fromCache = ul !== null;
  if (ul === null) {
    if (o.offlineOnly) {
      throw new RmsError('NEEDS_ONLINE', `no cached use license for content ${cid}, and the client is offline only`, { serviceUrl: session.url });
    }
    let token: string;
    try {
      const answer = await session.connection.callAuthenticated('POST', '/_wmcs/licensing/eul', { pl: pl.token, rac: await session.currentRac() });
      token = String(answer.ul);
    } catch (error) {
      if (error instanceof RmsError && error.code === 'SERVICE_UNAVAILABLE') {
        throw new RmsError('NEEDS_ONLINE', `no usable cached license for content ${cid}, and ${session.url} cannot be reached`, { cause: error, serviceUrl: session.url });
      }
      throw error;
    }
    await session.learnSigner(token);
    ul = verifyUl(token, session.slc, session.identity, { now: o.now, ignoreLicenseExpiry: true });
    if (ul.claims.cid !== cid) throw new RmsError('BROKEN_CERT_CHAIN', 'the service answered with a license for other content', { serviceUrl: session.url });
    cache.keep(session, ul);
  }
  return new ContentLicense(openUlContentKey(ul, session.deviceKey()), pl.claims, ul.claims, fromCache);
}
