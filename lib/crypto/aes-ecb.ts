/**
 * AES-ECB without padding: whole 16-byte blocks only (`NOT_BLOCK_ALIGNED` otherwise). It
 * exists for the MICROSOFT.ECB read-only content mode and the sector IVs of MICROSOFT.CBC4K
 * and CBC512; never use it to protect new content.
 */
import { RmsError } from '../errors';
import { native } from '../native';
import { requireBytes, THREAD_POOL_THRESHOLD } from './arguments';
import { aesKeyHandle, SecretKey } from './secret-key';

export const BLOCK_LENGTH = 16;

function prepare(key: SecretKey, input: Uint8Array) {
  const handle = aesKeyHandle('key', key);
  requireBytes('data', input);
  if (input.length % BLOCK_LENGTH !== 0) {
    throw new RmsError('NOT_BLOCK_ALIGNED', `data must be a multiple of 16 bytes, got ${input.length}`, { argument: 'data' });
  }
  return { handle, output: Buffer.allocUnsafe(input.length) };
}

export function encrypt(key: SecretKey, data: Uint8Array): Buffer {
  const { handle, output } = prepare(key, data);
  native.ecbEncrypt(handle, data, output);
  return output;
}

export function decrypt(key: SecretKey, data: Uint8Array): Buffer {
  const { handle, output } = prepare(key, data);
  native.ecbDecrypt(handle, data, output);
  return output;
}

export async function encryptAsync(key: SecretKey, data: Uint8Array): Promise<Buffer> {
  const { handle, output } = prepare(key, data);
  if (data.length < THREAD_POOL_THRESHOLD) native.ecbEncrypt(handle, data, output);
  else await native.ecbEncryptAsync(handle, data, output);
  return output;
}

export async function decryptAsync(key: SecretKey, data: Uint8Array): Promise<Buffer> {
  const { handle, output } = prepare(key, data);
  if (data.length < THREAD_POOL_THRESHOLD) native.ecbDecrypt(handle, data, output);
  else await native.ecbDecryptAsync(handle, data, output);
  return output;
}
