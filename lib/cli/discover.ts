/**
 * `openrms discover [--email E] [--explain] [--fresh] [--ca FILE] [--json]`: finds the licensing
 * service to publish to as the client does (docs/discovery.md) and prints it; with --explain,
 * every step first: what was asked of which server, and what it answered or why it failed.
 */
import { Command } from 'commander';

import { RmsClient } from '../client/rms-client';
import { DiscoveredService, DiscoveryResult, DiscoveryStep, requireService } from '../discovery';
import { addClientOptions, examples } from './command-tree';
import { ClientFlags, clientOptions, CommandIo, jsonLine, printable } from './command-line';
import { caOption } from './login';

function stepLine(step: DiscoveryStep, index: number): string {
  const server = step.server === undefined ? '' : ` (${step.server})`;
  const code = step.error === undefined ? '' : `${step.error.code}: `;
  return `${String(index + 1).padStart(2)}. ${step.source.padEnd(9)} ${printable(step.asked)}${printable(server)}: ${step.outcome}: ${code}${printable(step.detail)}`;
}

function serviceLines(service: DiscoveredService, fromCache: boolean): string[] {
  const until = service.expiresAt === undefined ? 'not cached' : `${fromCache ? 'from the cache' : 'cached'} until ${new Date(service.expiresAt * 1000).toISOString()}`;
  return [
    `service ${printable(service.serviceUrl)} (found by ${service.foundBy}; ${until})`,
    `  service ID     ${printable(service.serviceId)}`,
    ...(service.name === undefined ? [] : [`  name           ${printable(service.name)}`]),
    ...(service.certificationUrl === undefined ? [] : [`  certification  ${printable(service.certificationUrl)}`]),
    ...(service.licensingUrls.intranet === undefined ? [] : [`  licensing      ${printable(service.licensingUrls.intranet)} (intranet)`]),
    ...(service.licensingUrls.extranet === undefined ? [] : [`  licensing      ${printable(service.licensingUrls.extranet)} (extranet)`]),
  ];
}

interface DiscoverFlags extends ClientFlags {
  email?: string;
  explain?: boolean;
  fresh?: boolean;
  ca?: string;
}

async function discover(flags: DiscoverFlags, io: CommandIo): Promise<void> {
  const result: DiscoveryResult = await RmsClient.discover({ ...clientOptions(flags, io), email: flags.email, fresh: flags.fresh === true, ca: caOption(flags.ca) });
  if (flags.json) {
    io.out.write(jsonLine({ email: result.email ?? null, fromCache: result.fromCache, service: result.service ?? null, steps: result.steps }));
  } else {
    const lines = flags.explain ? [`discovery${result.email === undefined ? '' : ` for ${printable(result.email)}`}:`, ...result.steps.map(stepLine)] : [];
    if (result.service !== undefined) lines.push(...serviceLines(result.service, result.fromCache));
    if (lines.length > 0) io.out.write(`${lines.join('\n')}\n`);
  }
  // Nothing found is a failure, with every step that failed in its message.
  requireService(result);
}

export function discoverCommand(io: CommandIo): Command {
  const command = addClientOptions(new Command('discover')
    .summary('find the licensing service to publish to')
    .description('Find the service to publish to as the client does (docs/discovery.md): the ServiceLocation settings, the directory\'s '
      + 'service connection point, DNS SRV records of the email\'s domain and its parents, the CloudService setting.')
    .option('--email <address>', 'whose service (its domain is asked in DNS)')
    .option('--explain', 'print every step first: what was asked of which server, and what it answered or why it failed')
    .option('--fresh', 'ask again instead of answering from the cache')
    .option('--ca <file>', 'a private CA (PEM) for the servers asked'))
    .action((flags: DiscoverFlags) => discover(flags, io));
  return examples(command, ['openrms discover --email alice@contoso.com --explain', 'openrms discover --fresh --json']);
}
