/** The built-in content detectors a rules file names in `content:`, each in its own file with the rule it follows. */
import { containsConfidentialMarking } from './confidential-marking';
import { containsIban } from './iban';
import { containsFrNir, containsUkNino, containsUsSsn } from './national-ids';

export const CONTENT_DETECTORS: Readonly<Record<string, (text: string) => boolean>> = {
  iban: containsIban,
  confidential: containsConfidentialMarking,
  'us-ssn': containsUsSsn,
  'uk-nino': containsUkNino,
  'fr-nir': containsFrNir,
};

export function isContentDetector(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(CONTENT_DETECTORS, name);
}
