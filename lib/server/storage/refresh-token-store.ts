/**
 * Refresh tokens, stored by the hash of their value: each is used once (taken and replaced). The
 * account store deletes a user's tokens with the changes that end their sessions.
 */
import { SqlDatabase } from './sql-database';

export interface RefreshTokenStore {
  add(id: string, identity: string, expiresAt: number): Promise<void>;
  /** Deletes the token and answers whom it was issued to and until when; null for a token not (or no longer) on record. */
  take(id: string): Promise<{ identity: string; expiresAt: number } | null>;
}

export class SqlRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly db: SqlDatabase) {}

  async add(id: string, identity: string, expiresAt: number): Promise<void> {
    await this.db.run('INSERT INTO refresh_tokens (id, identity, expires_at) VALUES (?, ?, ?)', [id, identity, expiresAt]);
  }

  async take(id: string): Promise<{ identity: string; expiresAt: number } | null> {
    // One statement: two requests presenting the same token cannot both get it.
    const row = await this.db.get<{ identity: string; expires_at: number }>('DELETE FROM refresh_tokens WHERE id = ? RETURNING identity, expires_at', [id]);
    return row === undefined ? null : { identity: row.identity, expiresAt: row.expires_at };
  }
}
