/**
 * `openrms discover [--email E] [--explain] [--fresh] [--ca FILE] [--json]`: finds the licensing
 * service to publish to as the client does (docs/discovery.md) and prints it; with --explain,
 * every step first: what was asked of which server, and what it answered or why it failed.
 */
import { RmsClient } from '../client/rms-client';
import { DiscoveredService, DiscoveryResult, DiscoveryStep, requireService } from '../discovery';
import { RmsError } from '../errors';
import { CLIENT_OPTIONS, clientOptions, CommandIo, parseCommand, printable, stringOption } from './command-line';
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

export async function runDiscover(args: readonly string[], io: CommandIo): Promise<void> {
  const p = parseCommand('discover', args, {
    email: { type: 'string' }, explain: { type: 'boolean' }, fresh: { type: 'boolean' }, ca: { type: 'string' }, ...CLIENT_OPTIONS,
  });
  if (p.positionals.length > 0) throw new RmsError('INVALID_ARGUMENT', 'discover takes no arguments: the email is --email E');
  const result: DiscoveryResult = await RmsClient.discover({ ...clientOptions(p, io), email: stringOption(p, 'email'), fresh: p.values.fresh === true, ca: caOption(p) });
  if (p.values.json) {
    io.out.write(`${JSON.stringify({ email: result.email ?? null, fromCache: result.fromCache, service: result.service ?? null, steps: result.steps })}\n`);
  } else {
    const lines = p.values.explain ? [`discovery${result.email === undefined ? '' : ` for ${printable(result.email)}`}:`, ...result.steps.map(stepLine)] : [];
    if (result.service !== undefined) lines.push(...serviceLines(result.service, result.fromCache));
    if (lines.length > 0) io.out.write(`${lines.join('\n')}\n`);
  }
  // Nothing found is a failure, with every step that failed in its message.
  requireService(result);
}
