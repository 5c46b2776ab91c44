/**
 * One HTTP request and its answer, as the service's routes see it: a body read as JSON (or a
 * form, for the token endpoint) within its route's limit and the service's budget, answers as
 * JSON, and errors as `{"error": {"code", "message"}}` with the status a client can act on.
 */
import { IncomingMessage, ServerResponse } from 'node:http';

import { RmsError, RmsErrorCode } from '../errors';

const STATUS: Partial<Record<RmsErrorCode, number>> = {
  INVALID_ARGUMENT: 400, INVALID_FORMAT: 400, UNSUPPORTED_VERSION: 400, INVALID_SIGNATURE: 400, BROKEN_CERT_CHAIN: 400,
  INVALID_KEY: 400, DECRYPTION_FAILED: 400, LICENSE_SPLICED: 400,
  AUTHENTICATION_FAILED: 401,
  ACCESS_DENIED: 403, RIGHT_NOT_GRANTED: 403, CONTENT_REVOKED: 403, VALIDITY_TIME_VIOLATION: 403, PUBLISHER_NOT_ALLOWED: 403,
  NOT_FOUND: 404, TEMPLATE_NOT_FOUND: 404, TEMPLATE_NOT_ENABLED_FOR_USER: 403, TEMPLATE_ARCHIVED: 409,
  CONFLICT: 409,
  REQUEST_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
  // Nobody reads it (the client is gone); it keeps the log from calling a hang-up a failure of ours.
  ABORTED: 400,
};

export function statusFor(error: RmsError): number {
  return STATUS[error.code] ?? 500;
}

/**
 * The bytes of request bodies the service holds at once: each route bounds one body, this bounds
 * their sum, and each client's share of it (an IPv4 address, an IPv6 /64), so many requests each
 * within their limit cannot add up to unbounded memory, nor one client hold all of it. Bytes are
 * taken as they arrive: a Content-Length declared and never sent holds nothing.
 */
export class BodyBudget {
  private used = 0;
  private readonly byClient = new Map<string, number>();

  constructor(readonly bytes: number, readonly perClientBytes: number = bytes) {}

  /** Takes `bytes` for `client`, or refuses with SERVICE_UNAVAILABLE (503, the client retries later) when they do not fit. */
  take(bytes: number, client: string): void {
    const held = this.byClient.get(client) ?? 0;
    if (this.used + bytes > this.bytes || held + bytes > this.perClientBytes) {
      throw new RmsError('SERVICE_UNAVAILABLE', 'the service is receiving too much at once; try again shortly');
    }
    this.used += bytes;
    this.byClient.set(client, held + bytes);
  }

  give(bytes: number, client: string): void {
    if (bytes === 0) return;
    this.used -= bytes;
    const held = (this.byClient.get(client) ?? 0) - bytes;
    if (held <= 0) this.byClient.delete(client);
    else this.byClient.set(client, held);
  }
}

function tooLarge(limit: number): RmsError {
  return new RmsError('REQUEST_TOO_LARGE', `the request body is over ${limit} bytes, the most this call accepts`);
}

/**
 * A request's body, admitted before any byte of it is read: a declared Content-Length over the
 * route's limit is refused at once; the bytes are counted, and taken from the budget (the
 * service's and the client's share), as they arrive, and a body passing the route's limit is
 * refused the moment it does. `release()` gives back what was taken once the request is answered.
 */
export class RequestBody {
  private taken = 0;
  private value: Promise<Record<string, unknown>> | undefined;

  constructor(private readonly req: IncomingMessage, private readonly limit: number, private readonly budget: BodyBudget,
    private readonly client: string) {
    const declared = req.headers['content-length'];
    // node:http has already refused a Content-Length that is not a number.
    if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  }

  /** The body as a JSON object (or a form's fields), read once. */
  read(): Promise<Record<string, unknown>> {
    return (this.value ??= this.parse());
  }

  release(): void {
    this.budget.give(this.taken, this.client);
    this.taken = 0;
  }

  /**
   * The body's bytes. Read from events rather than `for await`, whose early exit destroys the
   * request and with it the socket, before the refusal could be sent. On a refusal the request
   * is paused, so node:http stops reading the socket until the answer closes it.
   */
  private collect(): Promise<Buffer> {
    const req = this.req;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const settle = (error: RmsError | null): void => {
        req.off('data', onData).off('end', onEnd).off('close', onClose);
        if (error === null) {
          resolve(Buffer.concat(chunks, size));
        } else {
          req.pause();
          reject(error);
        }
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > this.limit) return settle(tooLarge(this.limit));
        try {
          this.budget.take(chunk.length, this.client);
        } catch (error) {
          return settle(error as RmsError);
        }
        this.taken += chunk.length;
        chunks.push(chunk);
      };
      const onEnd = (): void => settle(null);
      const onClose = (): void => settle(new RmsError('ABORTED', 'the client closed the connection before its request body was complete'));
      req.on('data', onData).on('end', onEnd).on('close', onClose);
      // The client may have hung up while the caller was being authenticated: 'close' came and went.
      if (req.destroyed) onClose();
    });
  }

  private async parse(): Promise<Record<string, unknown>> {
    const text = (await this.collect()).toString('utf8');
    if (text === '') return {};
    const type = (this.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new RmsError('INVALID_FORMAT', 'the request body is not JSON', { cause });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RmsError('INVALID_FORMAT', 'the request body is not a JSON object');
    return value as Record<string, unknown>;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes.length), 'cache-control': 'no-store', ...headers,
  });
  res.end(bytes);
}

export function sendError(res: ServerResponse, error: RmsError, headers: Record<string, string> = {}): void {
  sendJson(res, statusFor(error), { error: { code: error.code, message: error.message } }, headers);
}
