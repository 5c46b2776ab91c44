/**
 * A candidate service asked for its discovery document (`GET <base>/_wmcs/discovery`,
 * docs/protocol.md): the service "answers" when it returns one with an SLC. The request goes
 * through the transport like every other, so the trust policy is asked before it connects.
 */
import { RmsError } from '../errors';
import { claimedServiceId } from '../license/certificates';
import { ConnectionOptions, ServiceConnection } from '../transport/service-connection';
import { serviceBaseOf } from '../client/service-session';
import { DiscoveredService } from './discovery-steps';

export type ServiceDocument = Omit<DiscoveredService, 'foundBy' | 'expiresAt'>;

function urlField(value: unknown): string | undefined {
  return typeof value === 'string' && serviceBaseOf(value) !== null ? value : undefined;
}

/** The service at `baseUrl`, as its discovery document describes it; SERVICE_ERROR when it is not a licensing service's. */
export async function fetchServiceDocument(baseUrl: string, options: ConnectionOptions): Promise<ServiceDocument> {
  const connection = new ServiceConnection(baseUrl, options);
  const d = await connection.call('GET', '/_wmcs/discovery');
  let serviceId: unknown;
  try {
    // Its stable ID, the first signing key of its key successions (docs/protocol.md, "Key rotation").
    serviceId = typeof d.slc === 'string' ? claimedServiceId(d.slc) : undefined;
  } catch {
    serviceId = undefined;
  }
  if (typeof serviceId !== 'string') {
    throw new RmsError('SERVICE_ERROR', `${connection.baseUrl} answered, but not with a licensing service's discovery document`, { serviceUrl: connection.baseUrl });
  }
  const licensing = (typeof d.licensing === 'object' && d.licensing !== null ? d.licensing : {}) as Record<string, unknown>;
  const intranet = urlField(licensing.intranet);
  const extranet = urlField(licensing.extranet);
  const certificationUrl = urlField(d.certification);
  return {
    // The service is where its document says it certifies (a discovery-only server may name another).
    serviceUrl: serviceBaseOf(certificationUrl) ?? connection.baseUrl,
    serviceId,
    name: typeof d.name === 'string' ? d.name : undefined,
    certificationUrl,
    licensingUrls: { ...(intranet === undefined ? {} : { intranet }), ...(extranet === undefined ? {} : { extranet }) },
  };
}
