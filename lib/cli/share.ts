/**
 * `openrms share FILE --to EMAIL[,EMAIL...] [--rights RIGHT,...] [--expires ISO-DATE|Nd]
 * [--offline-days N] [--message TEXT] [--out DIR]`: what the RMS sharing application did for one
 * file. FILE is protected for those people (ad-hoc grants; the sender is the owner and keeps
 * OWNER), and the command prints, for each recipient, the note to send with the file: how to
 * sign in to the service that licenses it, how to sign up as an individual when they have no
 * account there, and how to open it. The sender cannot know who has an account, so the note
 * says "if you have no account"; whether the service takes sign-ups is asked of the service.
 */
import path from 'node:path';

import { Command } from 'commander';

import { RmsClient } from '../client/rms-client';
import { isRmsError } from '../errors';
import { expandRights, hasRight } from '../license/rights';
import { addClientOptions, examples } from './command-tree';
import { ClientFlags, clientOptions, CommandIo, printable, report, usageError } from './command-line';
import { collect, parseExpires, parseOfflineDays, parseRights } from './license-options';
import { addLicenseOptions, createLicense, outputDir, protectOne } from './protect';

interface ShareFlags extends ClientFlags {
  to: string[];
  rights?: string;
  expires?: string;
  offlineDays?: string;
  message?: string;
  out?: string;
}

/** What recipients are given unless --rights says otherwise: the sharing application's "Viewer". */
const DEFAULT_RIGHTS = 'VIEW';

function recipients(values: readonly string[]): string[] {
  const emails = values.flatMap((v) => v.split(',')).map((e) => e.trim()).filter((e) => e !== '');
  if (emails.length === 0) throw usageError('--to', 'at least one email address');
  for (const email of emails) {
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw usageError('--to', `email addresses, comma-separated (${JSON.stringify(email)} is not one)`);
  }
  return [...new Set(emails.map((e) => e.toLowerCase()))];
}

/** The note for one recipient: what they must do to open the file. */
interface RecipientNote {
  email: string;
  rights: string[];
  signIn: string;
  /** The commands that sign them up as an individual; null when the service takes no sign-ups. */
  signUp: string[] | null;
  note: string[];
}

/**
 * `signUpOpen`: what the service's discovery document says of sign-ups, or null when it could
 * not be asked (the file is protected all the same; the note then says "if the service takes
 * sign-ups").
 */
function noteFor(email: string, rights: string[], o: { sender: string; service: string; file: string; signUpOpen: boolean | null; message?: string }): RecipientNote {
  const shell = (text: string): string => (/^[\w@.:/+-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`);
  const signIn = `openrms login ${shell(email)} --service ${shell(o.service)}`;
  const signUp = o.signUpOpen === false ? null
    : [`openrms signup ${shell(email)} --service ${shell(o.service)}`, `openrms signup ${shell(email)} --service ${shell(o.service)} --code CODE`];
  const granted = expandRights(rights);
  const maybe = o.signUpOpen === null ? ' (if the service takes sign-ups)' : '';
  const note = [
    ...(o.message === undefined ? [] : [...o.message.split(/\r?\n/), '']),
    `${o.sender} shared ${o.file} with you, protected with openrms: you may ${granted.join(', ')}.`,
    'To open it:',
    ...(signUp === null
      ? [`  1. If you have no account at ${o.service}, ask ${o.sender} to have one made: this service takes no sign-ups from individuals.`]
      : [`  1. If you have no account at ${o.service}, sign up as an individual${maybe}: the first command mails you a code,`
        + ' the second takes it and a new password.', ...signUp.map((c) => `       ${c}`)]),
    `  2. Sign in, once: ${signIn}`,
    `  3. Open ${o.file} in an application that uses openrms. \`openrms rights ${shell(o.file)}\` shows what you may do with it`
    + (hasRight(granted, 'EXPORT') ? `; \`openrms unprotect ${shell(o.file)}\` writes a copy without protection.` : '.'),
  ];
  return { email, rights: granted, signIn, signUp, note };
}

async function share(file: string, flags: ShareFlags, io: CommandIo): Promise<void> {
  const to = recipients(flags.to);
  const rights = parseRights('--rights', flags.rights ?? DEFAULT_RIGHTS);
  const expires = flags.expires === undefined ? undefined : parseExpires(flags.expires, Date.now());
  const offlineDays = flags.offlineDays === undefined ? undefined : parseOfflineDays(flags.offlineDays);
  const options = clientOptions(flags, io);
  const client = RmsClient.open(options);
  try {
    const license = await createLicense(client, { grants: to.map((who) => ({ who, rights })), expires, offlineDays });
    const done = await protectOne(client, license, file, { online: false, outputDir: outputDir(flags.out) });
    const signUpOpen = await RmsClient.individualSignUpOpen(client.serviceUrl, options).catch((error: unknown) => {
      if (isRmsError(error)) return null;
      throw error;
    });
    const shown = { sender: client.identity, service: client.serviceUrl, file: path.basename(done.path), signUpOpen, message: flags.message };
    const notes = to.map((email) => noteFor(email, rights, shown));
    report(flags, io, {
      source: file, path: done.path, contentId: done.contentId, owner: client.identity, serviceUrl: client.serviceUrl,
      contentValidUntil: license.contentValidUntil?.toISOString() ?? null, offlineDays: license.offlineDays, individualSignUp: signUpOpen,
      recipients: notes.map(({ email, rights: granted, signIn, signUp, note }) => ({ email, rights: granted, signIn, signUp, note: note.join('\n') })),
    }, [
      `shared ${printable(file)} -> ${printable(done.path)} (content ID ${done.contentId}); ${printable(client.identity)} keeps OWNER`,
      ...notes.map((n) => `  ${printable(n.email)} may ${n.rights.join(', ')}`),
      `  content valid until ${license.contentValidUntil?.toISOString() ?? 'no limit'}; offline use ${license.offlineDays} days`,
      '',
      `Send ${printable(shown.file)} to each of them with this note:`,
      ...notes.flatMap((n) => ['', `--- to ${printable(n.email)} ---`, ...n.note.map(printable)]),
    ]);
  } finally {
    client.close();
  }
}

export function shareCommand(io: CommandIo): Command {
  const command = addClientOptions(addLicenseOptions(new Command('share')
    .summary('protect a file for named people and print what each must do to open it')
    .description('Protect FILE for the people named (ad-hoc rights; you are the owner and keep OWNER) and print, for each, the note to '
      + 'send with the file: how to sign in to your service, how to sign up as an individual when they have no account there '
      + '(when the service takes sign-ups), and how to open it.')
    .argument('<file>', 'the file to share')
    .requiredOption('--to <emails>', 'who may open it: EMAIL[,EMAIL...] (repeatable)', collect)
    .option('--rights <rights>', `what they may do: RIGHT[,RIGHT...] or a role (default ${DEFAULT_RIGHTS})`)
    .option('--message <text>', 'a message to put at the top of each note')))
    .action((file: string, flags: ShareFlags) => share(file, flags, io));
  return examples(command, [
    'openrms share plan.txt --to bob@contoso.com,frank@example.org',
    'openrms share q3.xlsx --to carol@fabrikam.com --rights VIEW,PRINT --expires 14d --message "Q3 figures, as promised"',
    'openrms share draft.docx --to bob@contoso.com --rights REVIEWER --offline-days 0 --json',
  ]);
}
