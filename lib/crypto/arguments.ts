/**
 * Boundary checks: every public crypto function validates its arguments here, before any
 * native call, and fails with an `INVALID_ARGUMENT` RmsError that names the argument.
 */
import { invalidArgument, RmsError } from '../errors';

export function requireBytes(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidArgument(name, 'a Buffer or Uint8Array');
  return value;
}

export function optionalBytes(name: string, value: unknown): Uint8Array | null {
  return value === undefined || value === null ? null : requireBytes(name, value);
}

export function requireLength(name: string, value: Uint8Array, allowed: readonly number[]): void {
  if (!allowed.includes(value.length)) {
    const list = allowed.length === 1 ? `${allowed[0]}` : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
    throw invalidArgument(name, `${list} bytes long, got ${value.length}`);
  }
}

export function requireInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(name, `an integer from ${min} to ${max}`);
  }
  return value;
}

export function requireOneOf<T extends string | number>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw invalidArgument(name, `one of ${allowed.join(', ')}`);
  return value as T;
}

/** A caller-provided output buffer must have room for `needed` bytes. */
export function requireCapacity(name: string, buffer: Uint8Array, needed: number): void {
  if (buffer.length < needed) throw invalidArgument(name, `at least ${needed} bytes long, got ${buffer.length}`);
}

export function keyClosed(): RmsError {
  return new RmsError('KEY_CLOSED', 'the key has been closed');
}

/** Inputs from this size up go to the libuv thread pool in the ...Async functions (DESIGN 4). */
export const THREAD_POOL_THRESHOLD = 64 * 1024;
