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
 * The counts per address are in the database (LimitStore), so every instance on it counts
 * together: guesses spread over instances behind a load balancer are locked out as one. The
 * hashing slots and the queue are this process's own, as the cores they share out are.
 */
import os from 'node:os';

import { RmsError } from '../errors';
import { normalizeEmail } from '../license/certificates';
import { LimitStore, LimitWindow } from './storage/limit-store';

const ATTEMPTS: LimitWindow = { kind: 'sign-in', limit: 10, windowSeconds: 15 * 60 };
const WAITING_PER_CORE = 32;

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
  /** Attempts admitted and not finished: being counted, waiting for a slot, or hashing. */
  private admitted = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: LimitStore, private readonly now: () => number,
    private readonly concurrency = Math.max(1, os.availableParallelism()), private readonly maxWaiting = WAITING_PER_CORE * concurrency) {}

  /** Runs `attempt` for `email` within the limits; any outcome but success keeps the attempt counted. */
  async run<T>(email: string, attempt: () => Promise<T>): Promise<T> {
    const key = addressKey(email);
    // Those still being counted take a place too: the count is a database round trip, and a
    // burst arriving meanwhile must not all pass this check.
    if (this.admitted >= this.concurrency + this.maxWaiting) {
      throw new RmsError('SERVICE_UNAVAILABLE', 'too many sign-ins are waiting; try again shortly');
    }
    this.admitted++;
    try {
      if (!(await this.limits.take(ATTEMPTS, key, this.now()))) throw new RmsError('AUTHENTICATION_FAILED', 'wrong email or password');
      await this.slot();
      try {
        const result = await attempt();
        await this.limits.clear(ATTEMPTS.kind, key);
        return result;
      } finally {
        this.release();
      }
    } finally {
      this.admitted--;
    }
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
