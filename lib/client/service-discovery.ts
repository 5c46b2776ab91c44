/**
 * Where the client uses discovery (docs/discovery.md): a sign-in without a service URL signs in
 * to the service discovery finds, and a publishing license whose licensing URLs do not answer
 * is licensed at the service discovery finds, when it is the same service (its service ID).
 * Every request goes through `connectionOptions`, so the administrator's trusted servers are
 * asked before any connection to a discovered service.
 */
import { invalidArgument, isRmsError, RmsError } from '../errors';
import {
  DiscoveredService, DiscoveryContext, DiscoveryResult, discoverService, DiscoverOptions, forgetDiscovered, requireService,
} from '../discovery';
import { TrustPolicy } from '../transport/trust-policy';
import { enrol, EnrolOptions } from './enrolment';
import { ClientContext, connectionOptions, ServiceSession } from './service-session';

/** The discovery context of a client: its settings, store (the cache), connection options and clock. */
export function discoveryContext(ctx: ClientContext): DiscoveryContext {
  return { settings: ctx.settings, http: (url) => connectionOptions(ctx, url), store: ctx.store, ca: ctx.options.ca, now: ctx.now };
}

/** Runs discovery for a client. */
export function discover(ctx: ClientContext, o: DiscoverOptions = {}): Promise<DiscoveryResult> {
  return discoverService(discoveryContext(ctx), o);
}

/**
 * The service discovery found; when there was nothing at all to search (no setting, no email),
 * the INVALID_ARGUMENT a sign-in without a URL always had.
 */
function foundService(result: DiscoveryResult): DiscoveredService {
  const searched = result.steps.some((step) => step.source !== 'cache' && step.outcome !== 'skipped');
  if (result.service === undefined && !searched) {
    throw invalidArgument('serviceUrl', 'a service URL (none given, and discovery has nothing to search: no ServiceLocation, Directory or CloudService setting, and no email)');
  }
  return requireService(result);
}

/** Runs `use` with the service discovery finds; a cached one that does not answer is forgotten and discovery runs again, once. */
export async function withDiscoveredService<T>(ctx: ClientContext, o: DiscoverOptions, use: (service: DiscoveredService) => Promise<T>): Promise<T> {
  const result = await discover(ctx, o);
  const service = foundService(result);
  try {
    return await use(service);
  } catch (error) {
    if (!result.fromCache || !isRmsError(error, 'SERVICE_UNAVAILABLE')) throw error;
    forgetDiscovered(discoveryContext(ctx), o);
    return use(foundService(await discover(ctx, { ...o, fresh: true })));
  }
}

/**
 * Enrols at the service that published a PL (`expectedServiceKey`) to license it: at its
 * licensing URLs in order (intranet, then extranet, each after LicensingRedirection) that
 * `policy` allows; when none answers, at the service discovery finds for `email`, if it is the
 * same service (it holds that key) and the policy allows it. Otherwise the last URL's failure.
 */
export async function enrolForLicense(ctx: ClientContext, urls: readonly string[], policy: TrustPolicy, email: string, o: EnrolOptions): Promise<ServiceSession> {
  let failure: unknown;
  for (const url of urls) {
    try {
      return await enrol(ctx, url, o);
    } catch (error) {
      if (!isRmsError(error, 'SERVICE_UNAVAILABLE')) throw error;
      failure = error;
    }
  }
  const found = (await discover(ctx, { email })).service;
  if (found !== undefined && !urls.includes(found.serviceUrl) && policy.allows(new URL(found.serviceUrl))) {
    try {
      // enrol checks, before any token is asked for, that the service holds the key that published the PL.
      return await enrol(ctx, found.serviceUrl, o);
    } catch (error) {
      if (!isRmsError(error, 'SERVICE_NOT_TRUSTED')) throw error;
    }
  }
  throw failure ?? new RmsError('SERVICE_UNAVAILABLE', 'the license names no licensing URL that answers');
}
