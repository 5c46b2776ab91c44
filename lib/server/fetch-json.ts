/** GET a JSON document over HTTP(S) with a deadline: how the service reads an external issuer's JWKS. */
import { RmsError } from '../errors';

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 1024 * 1024;

export async function fetchJson(url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  } catch (cause) {
    throw new RmsError('SERVICE_UNAVAILABLE', `cannot reach ${url}`, { cause });
  }
  const text = await response.text();
  if (!response.ok || text.length > MAX_BYTES) throw new RmsError('SERVICE_ERROR', `${url} answered ${response.status}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new RmsError('SERVICE_ERROR', `${url} did not answer JSON`, { cause });
  }
}
