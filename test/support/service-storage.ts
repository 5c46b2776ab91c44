/**
 * The licensing service's storage for tests of its parts: SQLite in a temporary data folder,
 * migrated as the service does, removed by `cleanup()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { openStorage, Storage } from '../../lib/server/storage/storage';

export interface TemporaryStorage {
  storage: Storage;
  dataDir: string;
  cleanup(): Promise<void>;
}

export async function temporarySqliteStorage(): Promise<TemporaryStorage> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'openrms-storage-'));
  const storage = await openStorage({ dataDir });
  return {
    storage, dataDir,
    cleanup: async () => {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
