/**
 * The client's trace (the `Trace` setting, MSIPC's tracing): one JSON line per event in the
 * store's `logs/trace.log` (owner-only, appended), and the same event published on the
 * `openrms:trace` diagnostics channel for an application to subscribe to. What is traced is a
 * closed list of fields that name things (service URLs, content IDs, rights, error codes, how
 * long a call took); nothing the client holds as a secret (tokens, passwords, keys, licenses,
 * content) is ever a field, so none can reach the trace.
 */
import { channel } from 'node:diagnostics_channel';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** What a trace event may carry: names and numbers, never secrets. */
export interface TraceFields {
  serviceUrl?: string;
  serviceId?: string;
  contentId?: string;
  method?: string;
  /** A request path, without its query. */
  path?: string;
  status?: number;
  rights?: readonly string[];
  code?: string;
  fromCache?: boolean;
  ms?: number;
  templateId?: string;
  /** A file's name (never its folder, never its content), e.g. an unmanaged template's. */
  file?: string;
  /** Why something was skipped or failed: openrms's own message. */
  reason?: string;
  count?: number;
}

export interface TraceEvent extends TraceFields {
  time: string;
  event: string;
}

export const TRACE_CHANNEL = 'openrms:trace';
const published = channel(TRACE_CHANNEL);
const FIELDS: readonly (keyof TraceFields)[] = ['serviceUrl', 'serviceId', 'contentId', 'method', 'path', 'status', 'rights', 'code', 'fromCache', 'ms', 'templateId', 'file', 'reason', 'count'];

export class Tracer {
  private readonly file: string;

  /** A tracer writing under `storeRoot`, or one that does nothing when `enabled` is false. */
  constructor(storeRoot: string, readonly enabled: boolean) {
    this.file = path.join(storeRoot, 'logs', 'trace.log');
  }

  event(event: string, fields: TraceFields = {}): void {
    if (!this.enabled) return;
    // Only the known fields are copied: an object passed by mistake cannot smuggle anything in.
    const line: TraceEvent = { time: new Date().toISOString(), event };
    for (const name of FIELDS) if (fields[name] !== undefined) (line as unknown as Record<string, unknown>)[name] = fields[name];
    if (line.path !== undefined) line.path = line.path.split('?')[0]!;
    published.publish(line);
    try {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    } catch {
      // A trace that cannot be written must not fail the operation it describes.
    }
  }
}
