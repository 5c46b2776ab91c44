/**
 * Limits on password sign-in, which costs an scrypt hash (~32 MiB, tens of milliseconds on the
 * thread pool that also signs use licenses):
 * - at most 10 failed sign-ins per address per 15 minutes; past that the address is refused
 *   without hashing until the window ends (AUTHENTICATION_FAILED, the same answer as a wrong
 *   password);
 * - at most `cores` hashes at once; the others wait their turn, so guessing cannot take the
 *   whole pool from use-license signing.
 * In memory, per service instance: behind a load balancer each instance counts on its own.
 */
import os from 'node:os';

import { RmsError } from '../errors';

const MAX_FAILURES = 10;
const WINDOW_SECONDS = 15 * 60;
const MAX_TRACKED = 100_000;

export class SignInGuard {
  private readonly failures = new Map<string, { count: number; since: number }>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly now: () => number, private readonly concurrency = Math.max(1, os.availableParallelism())) {}

  /** Runs `attempt` for `email` within the limits, counting a failure when it throws AUTHENTICATION_FAILED. */
  async run<T>(email: string, attempt: () => Promise<T>): Promise<T> {
    const key = email.trim().toLowerCase();
    const entry = this.failures.get(key);
    if (entry !== undefined && this.now() - entry.since < WINDOW_SECONDS && entry.count >= MAX_FAILURES) {
      throw new RmsError('AUTHENTICATION_FAILED', 'wrong email or password');
    }
    await this.slot();
    try {
      const result = await attempt();
      this.failures.delete(key);
      return result;
    } catch (error) {
      if (error instanceof RmsError && error.code === 'AUTHENTICATION_FAILED') this.countFailure(key);
      throw error;
    } finally {
      this.release();
    }
  }

  private countFailure(key: string): void {
    const now = this.now();
    const entry = this.failures.get(key);
    if (entry === undefined || now - entry.since >= WINDOW_SECONDS) {
      if (this.failures.size >= MAX_TRACKED) this.failures.delete(this.failures.keys().next().value as string);
      this.failures.set(key, { count: 1, since: now });
    } else {
      entry.count++;
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
