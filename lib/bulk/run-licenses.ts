/**
 * The content licenses a bulk run has opened, by publishing license: files protected under
 * one PL (a bulk protect shares one per license choice) are opened with one IpcGetKey, so the
 * service is asked once per PL, not once per file, even when the license allows no offline
 * use (then nothing is cached on disk) or when many files of one PL start at once (they wait
 * for the first one's answer). A PL that fails, fails every file under it with that error,
 * without asking again.
 *
 * Bounded: at most CAPACITY licenses are kept beyond those in use; the least recently used
 * idle one is closed (its content key wiped) when a newer one needs the room. Every key is
 * wiped by `close()` at the end of the run.
 */
import { createHash } from 'node:crypto';

import type { ContentLicense } from '../client/content-license';
import type { RmsClient } from '../client/rms-client';

/** Idle licenses kept: a tree holds few distinct PLs per run, or one per file (then reuse is rare anyway). */
const CAPACITY = 64;

interface Entry {
  license: Promise<ContentLicense>;
  users: number;
}

export interface LicenseLease {
  license: ContentLicense;
  release(): void;
}

export class RunLicenses {
  /** In use order: the first idle entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly client: RmsClient) {}

  /** The content license of the PL `publishingLicense`; release() it when the file is done. */
  async acquire(publishingLicense: Buffer): Promise<LicenseLease> {
    // A digest, not the PL itself (a few KB), names the entry.
    const key = createHash('sha256').update(publishingLicense).digest('hex');
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const license = this.client.getContentKey(publishingLicense);
      license.catch(() => undefined); // awaited below, and by every later file of this PL
      entry = { license, users: 0 };
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.users++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      entry.users--;
      this.evictIdle();
    };
    try {
      return { license: await entry.license, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  private evictIdle(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= CAPACITY) return;
      if (entry.users > 0) continue;
      this.entries.delete(key);
      closeLicense(entry);
    }
  }

  /** Wipes every content key (the run is over: nothing is in use). */
  close(): void {
    for (const entry of this.entries.values()) closeLicense(entry);
    this.entries.clear();
  }
}

function closeLicense(entry: Entry): void {
  entry.license.then((license) => license.close(), () => undefined);
}
