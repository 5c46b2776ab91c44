/**
 * `openrms protect|unprotect PATH... --recursive [--jobs N] [--in-place] [--follow-symlinks]
 * [--rules FILE] [--dry-run]` (docs/bulk.md): folders and many files through the bulk engine
 * (lib/bulk), each file reported as `protect` reports one (file-outcomes.ts), a progress line
 * drawn on stderr when it is a terminal and --json is off, and a summary with bytes and time.
 *
 * Without a rules file, every file gets the license the command line describes, serialized
 * once for the run: the files share one publishing license and content key, and unprotecting
 * them asks the service once. With `--rules`, each file gets what the first matching rule says;
 * files given the same template or the same rule share that license.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { Command } from 'commander';

import { previewProtect, runBulk, BulkEvent, BulkFile, BulkOperation, LicenseChoice, ProgressRenderer, walkPaths } from '../bulk';
import { LicenseDescriptor } from '../client/license-descriptor';
import { RmsClient } from '../client/rms-client';
import { fileSystemError, RmsError } from '../errors';
import { describeDecision, loadRules, readFileHead, Rules, RuleAction } from '../rules';
import { CommandIo, errorStream, jsonLine, printable, usageError } from './command-line';
import { FileOutcomes } from './file-outcomes';

export interface BulkFlags {
  recursive?: boolean;
  jobs?: string;
  inPlace?: boolean;
  followSymlinks?: boolean;
  rules?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** The options that make `protect` / `unprotect` a bulk run. */
export function addBulkOptions(command: Command, operation: BulkOperation): Command {
  command
    .option('-r, --recursive', 'walk into folders')
    .option('--jobs <n>', 'files in flight at once (default: twice the cores, 4 to 16)')
    .option('--in-place', `replace each original by its ${operation === 'protect' ? 'protected' : 'plaintext'} file, once that is complete and verified`)
    .option('--follow-symlinks', 'follow symbolic links inside folders (default: skipped)');
  if (operation === 'protect') {
    command
      .option('--rules <file>', 'classification rules (YAML or JSON): each file gets what the first matching rule says (docs/bulk.md)')
      .option('--dry-run', 'print what each file would get, and write nothing');
  }
  return command;
}

/** Whether the flags ask for the bulk engine rather than one license per file. */
export function isBulk(flags: BulkFlags): boolean {
  return flags.recursive === true || flags.jobs !== undefined || flags.inPlace === true || flags.followSymlinks === true
    || flags.rules !== undefined || flags.dryRun === true;
}

function jobsOf(flags: BulkFlags): number | undefined {
  if (flags.jobs === undefined) return undefined;
  if (!/^\d{1,3}$/.test(flags.jobs) || Number(flags.jobs) < 1 || Number(flags.jobs) > 256) throw usageError('--jobs', 'a number of files from 1 to 256');
  return Number(flags.jobs);
}

/**
 * What rules decide, made into licenses: one descriptor per template and per rule, so that the
 * files a template or rule covers share one publishing license in the run.
 */
class RuleLicenses {
  private readonly descriptors = new Map<string, Promise<LicenseDescriptor>>();

  constructor(private readonly client: RmsClient, private readonly rules: Rules) {}

  async choose(file: BulkFile): Promise<LicenseChoice> {
    const decision = await this.rules.decide({ path: file.path, relativePath: file.relativePath, size: file.size, head: file.head });
    const { action } = decision;
    if ('skip' in action) return { skip: `${decision.rule === null ? 'the default' : `rule "${decision.rule}"`}: ${action.skip}` };
    const key = 'template' in action ? `template:${action.template.toLowerCase()}` : `rule:${decision.rule ?? ''}`;
    let descriptor = this.descriptors.get(key);
    if (descriptor === undefined) {
      descriptor = this.descriptorFor(action);
      // A template that cannot be had fails each file it covers, not the run.
      descriptor.catch(() => undefined);
      this.descriptors.set(key, descriptor);
    }
    return descriptor;
  }

  private async descriptorFor(action: Exclude<RuleAction, { skip: string }>): Promise<LicenseDescriptor> {
    if ('template' in action) return this.client.createLicenseFromTemplate(action.template);
    return this.client.createLicense({ grants: action.grants, autoGrantOwner: true, contentValidUntil: action.expires ?? null, offlineDays: action.offlineDays });
  }
}

/**
 * `--dry-run`: what the run would do with each file, one line (or JSON line) per file, and
 * nothing written. The run's own checks come first (a file already protected, blocked by
 * FileProtection, done by an earlier run, or in the way of an output is passed over or fails
 * as the run would); then the rule and license a file to protect would get.
 */
async function dryRun(client: RmsClient, paths: string[], flags: BulkFlags, rules: Rules | null, outputDir: string | undefined, io: CommandIo): Promise<void> {
  const json = flags.json === true;
  const ctx = { client, inPlace: flags.inPlace === true, outputDir: outputDir === undefined ? undefined : path.resolve(outputDir) };
  const walk = { recursive: flags.recursive === true, followSymlinks: flags.followSymlinks === true, exclude: ctx.outputDir };
  for await (const entry of walkPaths(paths, walk)) {
    const start = await previewProtect(entry, ctx);
    if ('result' in start) {
      const { outcome, code, reason = outcome } = start.result;
      const text = outcome === 'failed' ? `would fail (${code}: ${reason})` : `skipped (${code === undefined ? '' : `${code}: `}${reason})`;
      io.out.write(json
        ? jsonLine({ source: entry.path, status: outcome, ...(outcome === 'failed' ? { error: { code, message: reason } } : { reason, code }) })
        : `${printable(entry.path)}: ${printable(text)}\n`);
      continue;
    }
    if ('finish' in start) {
      const reason = `finish an earlier run: ${start.finish} is protected, the original would be removed`;
      io.out.write(json ? jsonLine({ source: entry.path, status: 'would finish', path: start.finish }) : `${printable(entry.path)}: ${printable(reason)}\n`);
      continue;
    }
    if (rules === null) {
      io.out.write(json ? jsonLine({ source: entry.path, status: 'would protect', path: start.protect }) : `${printable(entry.path)}: would be protected\n`);
      continue;
    }
    const decision = await rules.decide(await subjectOf(entry.path, entry.relativePath, rules));
    io.out.write(json ? jsonLine({ source: entry.path, rule: decision.rule, action: actionJson(decision.action) }) : `${printable(describeDecision(entry.path, decision))}\n`);
  }
}

/** What the rules look at for one file: its path, size and (only if a content rule is reached) first bytes. */
async function subjectOf(file: string, relativePath: string, rules: Rules): Promise<BulkFile> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw fileSystemError(error, file);
  }
  return { path: file, relativePath, size, head: (n) => readFileHead(file, n ?? rules.contentWindow) };
}

function actionJson(action: RuleAction): Record<string, unknown> {
  if ('grants' in action) return { ...action, expires: action.expires?.toISOString() };
  return { ...action };
}

/** Runs a bulk protect or unprotect of `paths`; `license` is the command line's (protect without rules). */
export async function runBulkCommand(client: RmsClient, operation: BulkOperation, paths: string[], flags: BulkFlags,
  o: { license?: () => Promise<LicenseDescriptor>; online: boolean; outputDir?: string }, io: CommandIo): Promise<void> {
  const jobs = jobsOf(flags);
  if (flags.inPlace && o.outputDir !== undefined) throw usageError('--in-place', 'not given with --out (the outputs replace the originals)');
  const rules = flags.rules === undefined ? null : await loadRules(flags.rules);
  if (flags.dryRun) {
    await dryRun(client, paths, flags, rules, o.outputDir, io);
    return;
  }
  let chooser: ((file: BulkFile) => Promise<LicenseChoice>) | undefined;
  if (operation === 'protect') {
    if (rules !== null) {
      const ruleLicenses = new RuleLicenses(client, rules);
      chooser = (file) => ruleLicenses.choose(file);
    } else {
      const license = o.license!();
      license.catch(() => undefined);
      chooser = () => license;
    }
  }
  const stderr = errorStream(io) as NodeJS.WriteStream;
  // A progress line only for a person watching: a terminal, and not --json (whose lines are for programs).
  const renderer = flags.json !== true && stderr.isTTY === true ? new ProgressRenderer(stderr) : null;
  const outcomes = new FileOutcomes(io, { done: operation === 'protect' ? 'protected' : 'unprotected', json: flags.json === true, paths: 2 });
  const onEvent = (event: BulkEvent): void => {
    if (event.type === 'progress') {
      renderer?.update(event);
      return;
    }
    renderer?.clear();
    if (event.outcome === 'failed') {
      outcomes.failed(event.file, new RmsError(event.code ?? 'IO_ERROR', event.reason ?? event.outcome));
    } else if (event.outcome === 'skipped') {
      outcomes.skipped(event.file, event.reason ?? 'skipped', event.code);
    } else {
      outcomes.done(event.file, { path: event.output, contentId: event.contentId, bytes: event.bytes },
        `${printable(event.file)} -> ${printable(event.output ?? '')}`);
    }
  };
  const summary = await runBulk(client, {
    operation, paths, recursive: flags.recursive === true, followSymlinks: flags.followSymlinks === true, jobs, inPlace: flags.inPlace === true,
    outputDir: o.outputDir, license: chooser, serialize: { online: o.online }, onEvent,
  });
  renderer?.clear();
  outcomes.finish({ bytes: summary.bytes, ms: Math.round(summary.ms) });
}
