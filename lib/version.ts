/** The package version, read from package.json so it is never out of step. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const VERSION: string = (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
