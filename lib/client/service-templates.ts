/**
 * The templates a service offers its users (IpcGetTemplateList): fetched and cached per service,
 * or read from the cache when the service cannot be reached; each verified against the
 * service's SLC before it is used.
 */
import { RmsError } from '../errors';
import { TemplateClaims, verifyTemplate } from '../license/templates';
import { ClientStore } from '../store/client-store';
import { ServiceSession } from './service-session';

export interface Template {
  id: string;
  name: string;
  description: string;
  claims: TemplateClaims;
}

export async function listTemplates(session: ServiceSession, store: ClientStore, offlineOnly: boolean): Promise<Template[]> {
  let tokens: string[] | null = null;
  if (!offlineOnly) {
    try {
      const answer = await session.connection.callAuthenticated('GET', '/_wmcs/licensing/templates');
      tokens = Array.isArray(answer.templates) ? answer.templates.map(String) : [];
      store.saveTemplates(session.serviceId, tokens);
    } catch (error) {
      if (!(error instanceof RmsError) || error.code !== 'SERVICE_UNAVAILABLE') throw error;
    }
  }
  tokens ??= store.loadTemplates(session.serviceId);
  if (tokens === null) throw new RmsError('NEEDS_ONLINE', 'no template list is cached and the service is not reachable', { serviceUrl: session.url });
  return tokens.map((token) => {
    const claims = verifyTemplate(token, session.slc);
    return { id: claims.id, name: claims.name, description: claims.description, claims };
  });
}
