/**
 * What attack tests reach inside a client for: its default service's SLC, device key, stored
 * account and connection, to forge and replay what a real client would send.
 */
import { RmsClient } from '../../lib';
import { ServiceAccount } from '../../lib/store/client-store';

export function internals(client: RmsClient) {
  const session = client.defaultSession();
  return {
    slc: session.slc,
    key: () => session.deviceKey(),
    account: session['account'] as ServiceAccount,
    connection: session.connection,
  };
}
