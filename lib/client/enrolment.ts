/**
 * Enrolment at a licensing service: read its discovery document and pin its SLC (trust on first
 * use), get a token through the application's token provider, have the device key certified
 * (RAC) and, where the identity may publish, get a CLC. `openrms login` enrols explicitly with a
 * new device key; a client meeting a PL from a service it has not met enrols there on demand
 * with the device key it already has, when its trust policy allows the service.
 */
import { generateProfileKeyAsync } from '../crypto/key-profile';
import { RmsError } from '../errors';
import { claimedServiceId, verifySlc } from '../license/certificates';
import { decodeJws } from '../license/jws';
import { ServiceAccount, StoredToken } from '../store/client-store';
import { ServiceConnection } from '../transport/service-connection';
import { certify, ClientContext, connectionOptions, ServiceSession } from './service-session';

export interface EnrolOptions {
  /** The device key to have certified (its store ID); a new one is made when absent. */
  deviceKeyId?: string;
  /** A signing key the service must hold, current or rotated away from (the one that published the PL being opened). */
  expectedServiceKey?: string;
  /** The identity the client already is: a token for anyone else is refused. */
  expectedIdentity?: string;
}

async function discover(connection: ServiceConnection): Promise<string> {
  const d = await connection.call('GET', '/_wmcs/discovery');
  if (typeof d.slc !== 'string') {
    throw new RmsError('SERVICE_ERROR', `${connection.baseUrl} is not an openrms licensing service`, { serviceUrl: connection.baseUrl });
  }
  return d.slc;
}

export async function enrol(ctx: ClientContext, serviceUrl: string, o: EnrolOptions = {}): Promise<ServiceSession> {
  let token: StoredToken | null = null;
  // Enrolling with the device key the client already has is enrolment on demand (a PL's service).
  const probe = new ServiceConnection(serviceUrl, {
    ...connectionOptions(ctx, serviceUrl), onDemand: o.deviceKeyId !== undefined, onToken: (t) => { token = t; },
  });
  const slcToken = await discover(probe);
  // Trust on first use: the SLC the service shows at enrolment is the one pinned from then on,
  // under the service's ID (its first signing key, which its key successions start from).
  const slc = verifySlc(slcToken, { pinned: [claimedServiceId(slcToken)] });
  if (o.expectedServiceKey !== undefined && !slc.signingKeys.has(o.expectedServiceKey)) {
    throw new RmsError('SERVICE_NOT_TRUSTED', `${probe.baseUrl} answers as service ${slc.serviceId}, whose keys do not include ${o.expectedServiceKey}, which published the license`,
      { serviceUrl: probe.baseUrl });
  }
  const serviceId = slc.serviceId;
  const newKey = o.deviceKeyId === undefined;
  const key = newKey ? await generateProfileKeyAsync(ctx.options.deviceKeyType ?? slc.wrappingKey.type) : ctx.store.loadKey(o.deviceKeyId!);
  const { rac, clc } = await certify(probe, async () => slc, key, ctx.now());
  if (o.expectedIdentity !== undefined && rac.claims.sub !== o.expectedIdentity) {
    throw new RmsError('AUTHENTICATION_FAILED', `the token provider signed in to ${probe.baseUrl} as ${rac.claims.sub}; this client is ${o.expectedIdentity}`,
      { serviceUrl: probe.baseUrl });
  }
  if (rac.claims.idk === 'individual' && ctx.settings.passportCertificationDisabled) {
    throw new RmsError('ACCESS_DISABLED_BY_POLICY', `${rac.claims.sub} is an individual (consumer) identity at ${probe.baseUrl}, and DisablePassportCertification is set`,
      { serviceUrl: probe.baseUrl });
  }
  const keyId = newKey ? ctx.store.saveKey(key) : o.deviceKeyId!;
  const account: ServiceAccount = {
    url: probe.baseUrl, slc: slcToken, identity: rac.claims.sub, kind: rac.claims.idk, keyId, rac: rac.token, clc, token,
  };
  // A new key: licenses cached for the old one cannot be opened any more.
  if (newKey) ctx.store.dropUseLicenses(serviceId);
  ctx.store.saveAccount(serviceId, account);
  ctx.tracer.event('enrol', { serviceUrl: probe.baseUrl, serviceId });
  return new ServiceSession(ctx, serviceId, account, slc);
}
