/**
 * `openrms login EMAIL [--service URL] --password-stdin [--ca FILE] [--server-mode --account NAME]`: signs in, gets a RAC and
 * a CLC, and stores them (with a refresh token, never the password). `--ca FILE` is the service's
 * private CA: the store keeps it for that service, so later commands need it no more. `openrms signup EMAIL
 * --service URL [--code CODE --password-stdin]`: self-service sign-up for individuals.
 */
import { readFileSync } from 'node:fs';

import { RmsClient } from '../client/rms-client';
import { fileSystemError, RmsError } from '../errors';
import { normalizeEmail } from '../license/certificates';
import { passwordTokenProvider } from '../transport/service-connection';
import {
  CLIENT_OPTIONS, clientOptions, CommandIo, Parsed, parseCommand, readPasswordFromStdin, report, requireOne, stringOption,
} from './command-line';

export function caOption(p: Parsed): Buffer | undefined {
  const file = stringOption(p, 'ca');
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw fileSystemError(error, file);
  }
}

function serviceOption(command: string, p: Parsed): string {
  const url = stringOption(p, 'service');
  if (url === undefined) throw new RmsError('INVALID_ARGUMENT', `${command} needs --service URL (the service's base URL, e.g. http://127.0.0.1:8080)`);
  return url;
}

export async function runLogin(args: readonly string[], io: CommandIo): Promise<void> {
  const p = parseCommand('login', args, {
    service: { type: 'string' }, 'password-stdin': { type: 'boolean' }, ...CLIENT_OPTIONS, ca: { type: 'string' },
  });
  const email = requireOne('login', p, 'EMAIL');
  if (!p.values['password-stdin']) throw new RmsError('INVALID_ARGUMENT', 'login reads the password from stdin: pass --password-stdin');
  const password = await readPasswordFromStdin(io.stdin);
  const ca = caOption(p);
  // Without --service, the service discovery finds for the email's domain (docs/discovery.md).
  const client = await RmsClient.signIn({
    ...clientOptions(p, io), serviceUrl: stringOption(p, 'service'), email, tokenProvider: passwordTokenProvider(email, password, { ca }), ca,
  });
  report(p, io, { identity: client.identity, kind: client.identityKind, service: client.serviceUrl, serviceId: client.serviceId }, [
    `signed in to ${client.serviceUrl} as ${client.identity} (${client.identityKind}); rights account certificate stored in ${client.storeRoot}`,
  ]);
  client.close();
}

export async function runSignUp(args: readonly string[], io: CommandIo): Promise<void> {
  const p = parseCommand('signup', args, {
    service: { type: 'string' }, code: { type: 'string' }, 'password-stdin': { type: 'boolean' }, ca: { type: 'string' },
  });
  const email = requireOne('signup', p, 'EMAIL');
  const service = serviceOption('signup', p);
  const code = stringOption(p, 'code');
  if (code === undefined) {
    await RmsClient.requestSignUp(service, email, { ca: caOption(p) });
    report(p, io, { sent: true }, [`a sign-up code was sent to ${email}; then run: openrms signup ${email} --service ${service} --code CODE --password-stdin`]);
    return;
  }
  if (!p.values['password-stdin']) throw new RmsError('INVALID_ARGUMENT', 'signup --code reads the new password from stdin: pass --password-stdin');
  await RmsClient.completeSignUp(service, email, code, await readPasswordFromStdin(io.stdin), { ca: caOption(p) });
  report(p, io, { identity: normalizeEmail(email), kind: 'individual' }, [`${email} signed up; now run: openrms login ${email} --service ${service} --password-stdin`]);
}
