/**
 * One HTTP request and its answer, below Fastify's routing: a body counted against its route's
 * limit and the service's budget as it arrives, parsed as JSON (or a form, for the token
 * endpoint), and errors as `{"error": {"code", "message"}}` with the status a client can act on.
 */
import { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

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

export function tooLarge(limit: number): RmsError {
  return new RmsError('REQUEST_TOO_LARGE', `the request body is over ${limit} bytes, the most this call accepts`);
}

/**
 * A request's body as Fastify reads it (the stream a preParsing hook hands it): the bytes are
 * counted, and taken from the budget (the service's and the client's share), as they arrive,
 * and a body passing the route's limit is refused the moment it does, before Fastify's own
 * count would see it. On a refusal the request is paused, so node:http stops reading the socket
 * until the answer closes it. `release()` gives back what was taken once the request is answered.
 */
export class BudgetedBody extends Readable {
  /** What Fastify compares with the declared Content-Length and its own limit. */
  receivedEncodedLength = 0;
  private taken = 0;

  constructor(private readonly req: IncomingMessage, private readonly limit: number, private readonly budget: BodyBudget,
    private readonly client: string) {
    super();
    req.on('data', this.onData).on('end', this.onEnd).on('close', this.onClose);
    // The client may have hung up while the caller was being authenticated: 'close' came and went.
    if (req.destroyed) this.onClose();
  }

  override _read(): void {
    this.req.resume();
  }

  release(): void {
    this.budget.give(this.taken, this.client);
    this.taken = 0;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.receivedEncodedLength += chunk.length;
    if (this.receivedEncodedLength > this.limit) return this.refuse(tooLarge(this.limit));
    try {
      this.budget.take(chunk.length, this.client);
    } catch (error) {
      return this.refuse(error as RmsError);
    }
    this.taken += chunk.length;
    if (!this.push(chunk)) this.req.pause();
  };

  private readonly onEnd = (): void => {
    this.unhook();
    this.push(null);
  };

  private readonly onClose = (): void => {
    this.refuse(new RmsError('ABORTED', 'the client closed the connection before its request body was complete'));
  };

  private unhook(): void {
    this.req.off('data', this.onData).off('end', this.onEnd).off('close', this.onClose);
  }

  private refuse(error: RmsError): void {
    this.unhook();
    this.req.pause();
    this.destroy(error);
  }
}

/** A body's bytes as the routes see them: a JSON object, or a form's fields (the token endpoint takes both); empty is `{}`. */
export function parseBody(bytes: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = bytes.toString('utf8');
  if (text === '') return {};
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
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

/** The answer for an error: what the client's RmsError is made of. */
export function errorBody(error: RmsError): { error: { code: string; message: string } } {
  return { error: { code: error.code, message: error.message } };
}
