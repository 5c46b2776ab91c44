import { RmsError } from '../../lib';

/** The RmsError code a promise rejects with, or 'NO_ERROR' when it resolves; anything else is rethrown. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RmsError) return error.code;
    throw error;
  }
  return 'NO_ERROR';
}
