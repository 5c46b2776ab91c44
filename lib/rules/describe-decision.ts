/**
 * One line per file for a dry run: the file, the rule that decided (or the default) and what it
 * does. The path is the caller's and goes out as given: a caller writing to a terminal escapes
 * it, as it escapes every name it did not write itself.
 */
import { Decision } from './rules';

export function describeDecision(path: string, decision: Decision): string {
  const by = decision.rule === null ? 'default' : `rule "${decision.rule}"`;
  const { action } = decision;
  let does: string;
  if ('template' in action) {
    does = `template "${action.template}"`;
  } else if ('skip' in action) {
    does = `skip (${action.skip})`;
  } else {
    const grants = action.grants.map((g) => `${g.who}: ${g.rights.join(', ')}`).join('; ');
    const limits = [
      ...(action.expires === undefined ? [] : [`expires ${action.expires.toISOString()}`]),
      ...(action.offlineDays === undefined ? [] : [`offline ${action.offlineDays} days`]),
    ];
    does = `grants ${grants}${limits.length === 0 ? '' : ` (${limits.join(', ')})`}`;
  }
  return `${path}: ${by} -> ${does}`;
}
