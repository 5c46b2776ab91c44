/**
 * `INVALID_RULES`: a rules file that cannot be used. The error names the file and the 1-based
 * line and column of the node at fault as fields, so a caller (or `--json`) never parses the
 * message, and an administrator goes straight to the place to fix.
 */
import { RmsError } from '../errors';

export class InvalidRulesError extends RmsError {
  constructor(readonly file: string, readonly line: number, readonly column: number, readonly reason: string, options: { cause?: unknown } = {}) {
    super('INVALID_RULES', `${file}, line ${line}, column ${column}: ${reason}`, options);
    this.name = 'InvalidRulesError';
  }
}
