/**
 * What `/metrics` says, in the Prometheus text format (prom-client): requests by route and
 * status, their latency, licenses issued and refused by reason, the database's connections, and
 * prom-client's process metrics (CPU, memory, event-loop delay). Each service process counts in
 * its own registry; a worker of `runWorkers` answers /metrics with every worker's figures
 * summed, which the cluster's primary gathers (prom-client's AggregatorRegistry) when asked.
 */
import cluster from 'node:cluster';

import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { RmsError } from '../errors';
import { ConnectionUse } from './storage/sql-database';

/** Who may read /metrics: loopback clients only (the default), anyone, or nobody. */
export type MetricsAccess = 'loopback' | 'anyone' | 'nobody';

export const METRICS_ACCESS: readonly MetricsAccess[] = ['loopback', 'anyone', 'nobody'];

/** The licenses and certificates the service issues, as the metrics name them. */
export type LicenseKind = 'use' | 'publishing' | 'rac' | 'clc';

/** The IPC message a worker sends its primary for the cluster's metrics, and the answer's type. */
export const METRICS_REQUEST = 'openrms:metrics-request';
export const METRICS_ANSWER = 'openrms:metrics-answer';
const CLUSTER_METRICS_WAIT_MS = 5000;

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly latency: Histogram<'route' | 'method'>;
  private readonly licenses: Counter<'license' | 'outcome' | 'reason'>;
  private pending = new Map<number, (text: string | Error) => void>();
  private nextRequest = 0;

  /** `connections` is read at each scrape; `inCluster`: a worker of runWorkers, whose primary sums the workers' figures. */
  constructor(connections: () => ConnectionUse, private readonly inCluster = false) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'openrms_http_requests_total', help: 'HTTP requests answered, by route (its pattern, or "unmatched"), method and status',
      labelNames: ['route', 'method', 'status'], registers,
    });
    this.latency = new Histogram({
      name: 'openrms_http_request_duration_seconds', help: 'Time from routing a request to its answer, by route and method',
      labelNames: ['route', 'method'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    this.licenses = new Counter({
      name: 'openrms_licenses_total',
      help: 'Licenses and certificates asked for (use, publishing, rac, clc), issued or refused, with the error code of a refusal',
      labelNames: ['license', 'outcome', 'reason'], registers,
    });
    new Gauge({
      name: 'openrms_database_connections',
      help: 'Database connections: open, idle (open and unused) and waiting (requests waiting for one); SQLite has one connection',
      labelNames: ['state'], registers,
      collect() {
        const use = connections();
        this.set({ state: 'open' }, use.open);
        this.set({ state: 'idle' }, use.idle);
        this.set({ state: 'waiting' }, use.waiting);
      },
    });
    if (inCluster) {
      // Answers the primary's AggregatorRegistry with this registry's figures: prom-client starts
      // listening to the primary when its first AggregatorRegistry is made, in a worker too.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([this.registry]);
      process.on('message', this.onAnswer);
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status });
    this.latency.observe({ route, method }, seconds);
  }

  /** Counts what `issue` settles to: issued, or refused with its error's code. */
  async license<T>(license: LicenseKind, issue: Promise<T>): Promise<T> {
    try {
      const value = await issue;
      this.licenseOutcome(license, 'issued');
      return value;
    } catch (error) {
      this.licenseOutcome(license, 'refused', error instanceof RmsError ? error.code : 'SERVICE_ERROR');
      throw error;
    }
  }

  licenseOutcome(license: LicenseKind, outcome: 'issued' | 'refused', reason = ''): void {
    this.licenses.inc({ license, outcome, reason });
  }

  /** The metrics text: this process's, or in a cluster every worker's, summed by the primary. */
  async text(): Promise<string> {
    if (!this.inCluster || !cluster.isWorker) return this.registry.metrics();
    const id = this.nextRequest++;
    const answer = await new Promise<string | Error>((resolve) => {
      const timer = setTimeout(() => resolve(new RmsError('SERVICE_UNAVAILABLE', 'the other workers did not give their metrics in time')),
        CLUSTER_METRICS_WAIT_MS);
      this.pending.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      process.send!({ type: METRICS_REQUEST, id });
    }).finally(() => this.pending.delete(id));
    if (answer instanceof Error) throw answer;
    return answer;
  }

  close(): void {
    process.off('message', this.onAnswer);
  }

  private readonly onAnswer = (message: unknown): void => {
    const m = message as { type?: unknown; id?: unknown; text?: unknown; error?: unknown };
    if (m?.type !== METRICS_ANSWER || typeof m.id !== 'number') return;
    this.pending.get(m.id)?.(typeof m.text === 'string' ? m.text
      : new RmsError('SERVICE_UNAVAILABLE', `the workers' metrics could not be gathered: ${String(m.error)}`));
  };
}

/**
 * The primary's side: answers each worker's METRICS_REQUEST with the sum of every worker's
 * figures. Returns a function that stops answering.
 */
export function answerClusterMetrics(): () => void {
  const aggregator = new AggregatorRegistry();
  const onMessage = (worker: import('node:cluster').Worker, message: unknown): void => {
    const m = message as { type?: unknown; id?: unknown };
    if (m?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_ANSWER, id: m.id, text }),
      (error: Error) => worker.send({ type: METRICS_ANSWER, id: m.id, error: error.message }),
    ).catch(() => {
      // The worker exited meanwhile: nobody to answer.
    });
  };
  cluster.on('message', onMessage);
  return () => cluster.off('message', onMessage);
}
