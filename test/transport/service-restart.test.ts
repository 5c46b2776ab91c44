/**
 * A service restarted on the same address: the client's kept-alive connections to the old
 * process are dead, and the first request on one fails before the service reads it. The client
 * sends it again on a new connection, once, for POSTs (a use license) as for GETs.
 */
import path from 'node:path';

import { startService } from '../../lib/server';
import { startTestService, TestService } from '../support/licensing-service';

describe('a service restarted on the same port', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
    await t.addUser('alice@contoso.com');
    await t.addUser('bob@contoso.com');
  });
  afterAll(() => t.cleanup());

  it('answers the first POST after the restart (a use license), without SERVICE_UNAVAILABLE', async () => {
    const alice = await t.signIn('alice@contoso.com');
    const bob = await t.signIn('bob@contoso.com');
    // Offline days 0: every open asks the service for a use license (a POST).
    const { publishingLicense, contentKey } = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 0 }));
    contentKey.close();
    (await bob.getContentKey(publishingLicense)).close();
    const port = Number(new URL(t.service.url).port);
    await t.service.close();
    const service = await startService({ dataDir: path.join(t.root, 'service'), port, log: () => {} });
    try {
      const license = await bob.getContentKey(publishingLicense);
      expect(license.fromCache).toBe(false);
      license.close();
    } finally {
      await service.close();
      alice.close();
      bob.close();
    }
  });
});
