/**
 * Publishing (IpcSerializeLicense): a license descriptor made into a PL with a new content key,
 * at the client's publishing service: offline, signed with the user's CLC and no request at all;
 * or online, signed by the service.
 */
import { randomUUID } from 'node:crypto';

import * as keyWrap from '../crypto/key-wrap';
import { SecretKey } from '../crypto/secret-key';
import { RmsError } from '../errors';
import { verifyClc } from '../license/certificates';
import { publishOffline, publishRequestLabel, verifyPl } from '../license/publishing-license';
import { SerializeOptions } from './client-options';
import { descriptorPolicy, LicenseDescriptor } from './license-descriptor';
import { ServiceSession } from './service-session';

/** A serialized license and the content key it protects: protect any number of items with it. */
export interface SerializedLicense {
  contentId: string;
  /** The publishing license, a JWS: what goes into the container. */
  publishingLicense: string;
  /** The content key, in native memory. close() it when done. */
  contentKey: SecretKey;
}

export async function serializeLicense(session: ServiceSession, d: LicenseDescriptor, o: SerializeOptions & { now: () => number }): Promise<SerializedLicense> {
  const policy = descriptorPolicy(d);
  const contentId = randomUUID();
  const contentKey = SecretKey.generate(32);
  try {
    let pl: string;
    if (o.online) {
      const wrappedKey = keyWrap.wrapKey(session.slc.wrappingKey, contentKey, { label: publishRequestLabel(contentId) }).toString('base64url');
      const answer = await session.connection.callAuthenticated('POST', '/_wmcs/licensing/publish', {
        rac: await session.currentRac(), contentId, wrappedKey, policy, autoGrantOwner: d.autoGrantOwner, descriptors: d.descriptors,
        signedData: d.signedData, encryptedData: d.encryptedData, referralUrl: d.referralUrl,
      });
      pl = String(answer.pl);
      await session.learnSigner(pl);
      verifyPl(pl, session.slc, { now: o.now() });
    } else {
      await session.renewForOfflinePublishing();
      if (session.clc === null) throw new RmsError('ACCESS_DENIED', `${session.identity} may not publish at ${session.url}`, { serviceUrl: session.url });
      const clc = verifyClc(session.clc, session.slc, { now: o.now() });
      pl = publishOffline({
        owner: session.identity, policy, contentKey, wrappingKey: clc.wrappingKey, urls: clc.claims.urls, iat: o.now(), contentId,
        descriptors: d.descriptors, referralUrl: d.referralUrl, signedData: d.signedData, encryptedData: d.encryptedData,
        autoGrantOwner: d.autoGrantOwner,
      }, session.deviceKey(), clc.token);
    }
    return { contentId, publishingLicense: pl, contentKey };
  } catch (error) {
    contentKey.close();
    throw error;
  }
}
