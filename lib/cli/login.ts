/**
 * `openrms login EMAIL [--service URL] [--password-stdin] [--ca FILE] [--server-mode --account NAME]`:
 * signs in, gets a RAC and a CLC, and stores them (with a refresh token, never the password).
 * `--ca FILE` is the service's private CA: the store keeps it for that service, so later commands
 * need it no more. `openrms signup EMAIL --service URL [--code CODE] [--password-stdin]`:
 * self-service sign-up for individuals. The password is typed at the terminal (no echo) or read
 * from stdin with --password-stdin.
 */
import { readFileSync } from 'node:fs';

import { Command } from 'commander';

import { RmsClient } from '../client/rms-client';
import { fileSystemError } from '../errors';
import { normalizeEmail } from '../license/certificates';
import { passwordTokenProvider } from '../transport/service-connection';
import { addClientOptions, examples } from './command-tree';
import { ClientFlags, clientOptions, CommandIo, JsonFlag, printable, report, usageError } from './command-line';
import { readPassword } from './password-prompt';

export function caOption(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw fileSystemError(error, file);
  }
}

interface LoginFlags extends ClientFlags {
  service?: string;
  passwordStdin?: boolean;
  ca?: string;
}

async function login(email: string, flags: LoginFlags, io: CommandIo): Promise<void> {
  const options = clientOptions(flags, io);
  const password = await readPassword(io, { command: 'login', fromStdin: flags.passwordStdin === true });
  const ca = caOption(flags.ca);
  // Without --service, the service discovery finds for the email's domain (docs/discovery.md).
  const client = await RmsClient.signIn({
    ...options, serviceUrl: flags.service, email, tokenProvider: passwordTokenProvider(email, password, { ca }), ca,
  });
  report(flags, io, { identity: client.identity, kind: client.identityKind, service: client.serviceUrl, serviceId: client.serviceId }, [
    `signed in to ${printable(client.serviceUrl)} as ${printable(client.identity)} (${client.identityKind}); rights account certificate stored in ${printable(client.storeRoot)}`,
  ]);
  client.close();
}

interface SignUpFlags extends JsonFlag {
  service: string;
  code?: string;
  passwordStdin?: boolean;
  ca?: string;
}

async function signUp(email: string, flags: SignUpFlags, io: CommandIo): Promise<void> {
  const { service, code } = flags;
  const ca = caOption(flags.ca);
  if (code === undefined) {
    if (flags.passwordStdin) throw usageError('--password-stdin', 'given with --code (the password is set when the code is)');
    await RmsClient.requestSignUp(service, email, { ca });
    report(flags, io, { sent: true }, [`a sign-up code was sent to ${printable(email)}; then run: openrms signup ${printable(email)} --service ${printable(service)} --code CODE`]);
    return;
  }
  const password = await readPassword(io, { command: 'signup --code', fromStdin: flags.passwordStdin === true, confirm: true });
  await RmsClient.completeSignUp(service, email, code, password, { ca });
  report(flags, io, { identity: normalizeEmail(email), kind: 'individual' },
    [`${printable(email)} signed up; now run: openrms login ${printable(email)} --service ${printable(service)}`]);
}

export function loginCommands(io: CommandIo): Command[] {
  const loginCommand = addClientOptions(new Command('login')
    .summary('sign in to a licensing service')
    .description('Sign in: get the rights account and publishing certificates, stored with a refresh token (never the password). '
      + 'Without --service, at the service discovery finds for the email\'s domain (docs/discovery.md).')
    .argument('<email>', 'who signs in')
    .option('--service <url>', "the service's base URL, e.g. https://rms.contoso.com")
    .option('--password-stdin', 'read the password from the first line of stdin (scripts); else it is typed at the terminal, not echoed')
    .option('--ca <file>', "the service's private CA (PEM), remembered for later commands"))
    .action((email: string, flags: LoginFlags) => login(email, flags, io));
  examples(loginCommand, [
    'openrms login alice@contoso.com --service https://rms.contoso.com',
    'echo "$PASSWORD" | openrms login alice@contoso.com --service https://rms.contoso.com --password-stdin --json',
    'openrms login batch@contoso.com --server-mode --account batch --password-stdin < password.txt',
  ]);
  const signUpCommand = new Command('signup')
    .summary('self-service sign-up for individuals (the code arrives by mail)')
    .description('Sign up as an individual at a service that takes sign-ups: first ask for a code (mailed to the address), '
      + 'then give it with --code and choose a password. Individuals open content shared with them; '
      + 'whether they may protect is the service\'s choice.')
    .argument('<email>', 'the address to sign up')
    .requiredOption('--service <url>', "the service's base URL")
    .option('--code <code>', 'the code from the mail: completes the sign-up')
    .option('--password-stdin', 'with --code: read the new password from stdin; else it is typed twice at the terminal')
    .option('--ca <file>', "the service's private CA (PEM)")
    .option('--json', 'print JSON')
    .action((email: string, flags: SignUpFlags) => signUp(email, flags, io));
  examples(signUpCommand, [
    'openrms signup frank@example.org --service https://rms.contoso.com',
    'openrms signup frank@example.org --service https://rms.contoso.com --code 123456',
    'openrms login frank@example.org --service https://rms.contoso.com',
  ]);
  return [loginCommand, signUpCommand];
}
