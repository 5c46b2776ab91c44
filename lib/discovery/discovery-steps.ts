/**
 * What discovery reports: every step it took, in order, with the server and record it asked and
 * what came of it, and the service it settled on. `openrms discover --explain` prints these.
 */

/** The four places of the order (docs/discovery.md), the cache before them, and the probe of each candidate. */
export type DiscoverySource = 'cache' | 'registry' | 'directory' | 'dns' | 'cloud' | 'service';

export interface DiscoveryStep {
  source: DiscoverySource;
  /** What was asked: a setting, an SRV record name, a directory object, a URL. */
  asked: string;
  /** The server asked (a DNS server, a directory, a licensing service), when there was one. */
  server?: string;
  /** `found` ends the step with a result; `skipped` means there was nothing to ask. */
  outcome: 'found' | 'not-found' | 'failed' | 'skipped';
  /** What was found, or why nothing was. */
  detail: string;
  /** The error behind a failure: its code and message. */
  error?: { code: string; message: string };
}

/** A licensing service discovery settled on: where it is, as its discovery document says. */
export interface DiscoveredService {
  /** Its base URL (`https://host`). */
  serviceUrl: string;
  /** The service ID its SLC names (checked again when the client enrols there). */
  serviceId: string;
  name: string | undefined;
  certificationUrl: string | undefined;
  licensingUrls: { intranet?: string; extranet?: string };
  /** Which step of the order found it. */
  foundBy: Exclude<DiscoverySource, 'cache' | 'service'>;
  /** When the cache forgets it (seconds since the epoch); undefined when it is not cached. */
  expiresAt: number | undefined;
}

export interface DiscoveryResult {
  /** Whose domain was searched (the email given), if any. */
  email: string | undefined;
  steps: DiscoveryStep[];
  /** The service found; undefined when no step found one that answers. */
  service: DiscoveredService | undefined;
  /** Whether it came from the cache (no step asked the network). */
  fromCache: boolean;
}

/** The step an error ended: its message, and its code when it is an RmsError or a system error. */
export function failedStep(step: Omit<DiscoveryStep, 'outcome' | 'detail' | 'error'>, error: unknown): DiscoveryStep {
  const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : 'ERROR';
  const message = error instanceof Error ? error.message : String(error);
  return { ...step, outcome: 'failed', detail: message, error: { code, message } };
}
