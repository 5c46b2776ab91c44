/**
 * The service's keys as the primary of `runWorkers` hands them to each worker it forks
 * (workers.ts): every worker of one `serve` signs and unwraps with the generation the primary
 * read at start, the replacement of a worker that died after `openrms keys rotate` included,
 * until the whole service restarts. Were each worker to read the keys folder itself, a
 * replacement would come up on the new keys beside workers on the old ones, behind one port, and
 * clients would meet two SLCs at random. The PEMs travel over the cluster's IPC channel (a pipe
 * between the two processes), never in argv or the environment, which other processes can read.
 */
import { AsymmetricKey } from '../crypto/asymmetric-key';
import { RmsError } from '../errors';
import { ServiceKeys } from './service-keys';

export interface KeysMessage {
  signing: string;
  wrapping: string;
  succession: string[];
  /** The earlier generations' wrapping keys, PEM. */
  retiredWrapping: string[];
}

export function keysMessage(keys: ServiceKeys): KeysMessage {
  const pem = (key: AsymmetricKey): string => key.exportPem({ includePrivate: true });
  return {
    signing: pem(keys.signing), wrapping: pem(keys.wrapping), succession: [...keys.succession], retiredWrapping: [...keys.retiredWrapping.values()].map(pem),
  };
}

export function keysFromMessage(message: KeysMessage): ServiceKeys {
  const imported: AsymmetricKey[] = [];
  const key = (pem: string): AsymmetricKey => {
    const k = AsymmetricKey.importPem(pem);
    imported.push(k);
    return k;
  };
  try {
    const retired = message.retiredWrapping.map(key);
    return { signing: key(message.signing), wrapping: key(message.wrapping), succession: message.succession, retiredWrapping: new Map(retired.map((k) => [k.thumbprint(), k])) };
  } catch (cause) {
    for (const k of imported) k.close();
    throw new RmsError('INVALID_FORMAT', 'the keys the primary handed this worker are not PEM private keys', { cause });
  }
}
