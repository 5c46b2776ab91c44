/**
 * The thumbprints of the service's keys, pinned in the database at first start. Keys live in
 * files (the data folder's keys/, shared by every instance on one database, docs/operations.md);
 * the database says which keys its content and licenses belong to, so an instance started with
 * other keys (a keys folder lost and made again, another folder's) is refused instead of signing
 * as another service. A key rotation moves a pin on from the retired key to its successor.
 */
import { SqlDatabase } from './sql-database';

export type KeyPurpose = 'signing' | 'wrapping';

export interface KeyPins {
  /** Pins `thumbprint` for `purpose` unless one is pinned already; answers the one pinned. */
  pin(purpose: KeyPurpose, thumbprint: string): Promise<string>;
  /** Moves the pin from `from` to `to` (a key rotation); false when `from` is no longer the one pinned. */
  advance(purpose: KeyPurpose, from: string, to: string): Promise<boolean>;
}

export class SqlKeyPins implements KeyPins {
  constructor(private readonly db: SqlDatabase) {}

  async pin(purpose: KeyPurpose, thumbprint: string): Promise<string> {
    await this.db.run('INSERT INTO service_keys (purpose, thumbprint) VALUES (?, ?) ON CONFLICT (purpose) DO NOTHING', [purpose, thumbprint]);
    return (await this.db.get<{ thumbprint: string }>('SELECT thumbprint FROM service_keys WHERE purpose = ?', [purpose]))!.thumbprint;
  }

  async advance(purpose: KeyPurpose, from: string, to: string): Promise<boolean> {
    return (await this.db.run('UPDATE service_keys SET thumbprint = ? WHERE purpose = ? AND thumbprint = ?', [to, purpose, from])) === 1;
  }
}
