import { runNode } from '../support/built-package';

describe('process teardown with native handles', () => {
  it('exits cleanly with secret and asymmetric keys still open', () => {
    const result = runNode(`
      const o = require('./');
      globalThis.keep = [o.SecretKey.generate(), o.AsymmetricKey.generate({ type: 'ec' }),
        o.AsymmetricKey.generate({ type: 'rsa' }), o.rsaOaep.unwrapKey];
      console.log('done');
    `);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('done');
  });

  it('exits cleanly when process.exit() is called with work still on the thread pool', () => {
    const result = runNode(`
      const o = require('./');
      const key = o.SecretKey.generate();
      o.aesGcm.encryptAsync(key, o.randomBytes(12), o.randomBytes(64 << 20));
      o.verifyBatchAsync([]);
      setImmediate(() => process.exit(0));
    `);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('collects dropped handles under --expose-gc without crashing, then exits cleanly', () => {
    const result = runNode(`
      const o = require('./');
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 500; i++) { o.SecretKey.generate(); o.AsymmetricKey.generate({ type: 'ec' }); }
        globalThis.gc();
      }
      const closedThenCollected = o.SecretKey.generate(); closedThenCollected.close();
      globalThis.gc();
      console.log('ok');
    `, ['--expose-gc']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('ok');
  });
});
