/**
 * One HTTP request and its answer, as the service's routes see it: a bounded body read as JSON
 * (or a form, for the token endpoint), answers as JSON, and errors as
 * `{"error": {"code", "message"}}` with the status a client can act on.
 */
import { IncomingMessage, ServerResponse } from 'node:http';

import { RmsError, RmsErrorCode } from '../errors';

/** A PL or RAC is at most 1 MiB (MAX_JWS_LENGTH); a request carries a few of them. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const STATUS: Partial<Record<RmsErrorCode, number>> = {
  INVALID_ARGUMENT: 400, INVALID_FORMAT: 400, UNSUPPORTED_VERSION: 400, INVALID_SIGNATURE: 400, BROKEN_CERT_CHAIN: 400,
  INVALID_KEY: 400, DECRYPTION_FAILED: 400,
  AUTHENTICATION_FAILED: 401,
  ACCESS_DENIED: 403, RIGHT_NOT_GRANTED: 403, CONTENT_REVOKED: 403, VALIDITY_TIME_VIOLATION: 403,
  NOT_FOUND: 404, TEMPLATE_NOT_FOUND: 404,
  CONFLICT: 409,
  SERVICE_UNAVAILABLE: 503,
};

export function statusFor(error: RmsError): number {
  return STATUS[error.code] ?? 500;
}

export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RmsError('INVALID_ARGUMENT', `the request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
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
