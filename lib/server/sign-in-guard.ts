/**
 * Limits on password sign-in, which costs an scrypt hash (~32 MiB, tens of milliseconds on the
 * thread pool that also signs use licenses):
 * - at most 10 sign-ins per address per 15 minutes that have not succeeded; past that the
 *   address is refused without hashing until the window ends (AUTHENTICATION_FAILED, the same
 *   answer as a wrong password). An attempt counts when it starts, before its hash, and stays
 *   counted unless it succeeds: counting only finished failures would let guesses sent
 *   together all pass the check before the first of them had failed;
 * - a success clears the address's count;
 * - at most `cores` hashes at once; the others wait their turn, so guessing cannot take the
 *   whole pool from use-license signing;
 * - at most 32 attempts per core waiting for their turn, over all addresses; past that a sign-in
 *   is SERVICE_UNAVAILABLE (503, retry shortly), neither counted nor hashed. A waiting attempt
 *   holds its request and body until it is hashed, even after its client hung up, so without
 *   this bound one client sending sign-ins and hanging up queues hours of hashing, and their
 *   bodies fill the service's body budget (every other call then gets 503 too).
 * In memory, per service instance: behind a load balancer each instance counts on its own.
 */
import os from 'node:os';

import { RmsError } from '../errors';
import { normalizeEmail } from '../license/certificates';

const MAX_ATTEMPTS = 10;
const WINDOW_SECONDS = 15 * 60;
const MAX_TRACKED = 100_000;
const WAITING_PER_CORE = 32;

/** Attempts at one address since `since`: those that failed and those still running. */
interface Attempts {
  count: number;
  since: number;
}

/**
 * The address an attempt is counted against, compared as sign-in compares it. A username that
 * is no address still costs a hash (the answer must not tell it apart), so it is counted as typed.
 */
function addressKey(username: string): string {
  try {
    return normalizeEmail(username);
  } catch {
    return username;
  }
}

export class SignInGuard {
  private readonly attempts = new Map<string, Attempts>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly now: () => number, private readonly concurrency = Math.max(1, os.availableParallelism()),
    private readonly maxWaiting = WAITING_PER_CORE * concurrency) {}

  /** Runs `attempt` for `email` within the limits; any outcome but success keeps the attempt counted. */
  async run<T>(email: string, attempt: () => Promise<T>): Promise<T> {
    const key = addressKey(email);
    if (this.running >= this.concurrency && this.waiting.length >= this.maxWaiting) {
      throw new RmsError('SERVICE_UNAVAILABLE', 'too many sign-ins are waiting; try again shortly');
    }
    this.count(key);
    await this.slot();
    try {
      const result = await attempt();
      this.attempts.delete(key);
      return result;
    } finally {
      this.release();
    }
  }

  /** Counts an attempt at `key` before it runs, or refuses it when the window's attempts are spent. */
  private count(key: string): void {
    const now = this.now();
    const entry = this.attempts.get(key);
    if (entry !== undefined && now - entry.since < WINDOW_SECONDS) {
      if (entry.count >= MAX_ATTEMPTS) throw new RmsError('AUTHENTICATION_FAILED', 'wrong email or password');
      entry.count++;
      return;
    }
    if (entry === undefined && this.attempts.size >= MAX_TRACKED) this.attempts.delete(this.attempts.keys().next().value as string);
    this.attempts.set(key, { count: 1, since: now });
  }

  private slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => { this.running++; resolve(); }));
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
