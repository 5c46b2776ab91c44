/**
 * Which template a caller means by "ID or name" (IpcCreateLicenseFromTemplateId, and the CLI's
 * `--template`): its ID; else its default name; else a name in one of its languages; names
 * compared without regard to case. A name two templates share is refused rather than guessed.
 */
import { invalidArgument, RmsError } from '../errors';
import { Template } from './template-library';

export function chooseTemplate(templates: readonly Template[], idOrName: string, issuer: string): Template {
  if (typeof idOrName !== 'string' || idOrName.trim() === '') throw invalidArgument('template', 'a template ID or name');
  const wanted = idOrName.trim().toLowerCase();
  const byId = templates.find((t) => t.id === wanted);
  if (byId !== undefined) return byId;
  for (const names of [(t: Template) => [t.claims.name], (t: Template) => [t.name, ...Object.values(t.claims.names)]]) {
    const matches = templates.filter((t) => names(t).some((name) => name.toLowerCase() === wanted));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw invalidArgument('template', `one template: ${matches.length} are named ${idOrName}; give its ID`);
  }
  throw new RmsError('TEMPLATE_NOT_FOUND', `no template ${idOrName} at ${issuer}`, { serviceUrl: issuer });
}
