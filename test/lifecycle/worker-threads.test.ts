import { runNode } from '../support/built-package';

// Each scenario runs in a fresh process, so a crash at teardown shows as a signal or a
// non-zero exit instead of killing the test runner.
describe('the addon in worker_threads (context-aware)', () => {
  it('works in several workers at once, each with its own key handles, next to the main thread', () => {
    const result = runNode(`
      const { Worker } = require('node:worker_threads');
      const o = require('./');
      const script = \`
        const { parentPort } = require('node:worker_threads');
        const o = require(process.cwd());
        const key = o.SecretKey.generate();
        const pair = o.AsymmetricKey.generate({ type: 'ec' });
        const iv = o.randomBytes(12);
        const sealed = o.aesGcm.encrypt(key, iv, Buffer.from('from a worker'));
        const sig = o.sign('ES256', pair, sealed);
        o.verifyBatchAsync([{ algorithm: 'ES256', key: pair, data: sealed, signature: sig }]).then((ok) => {
          parentPort.postMessage({ text: o.aesGcm.decrypt(key, iv, sealed).toString(), ok: ok[0] });
          // the key handles stay open: the worker's environment teardown must release them
        });
      \`;
      const mainKey = o.SecretKey.generate();
      const runs = [1, 2, 3].map(() => new Promise((resolve, reject) => {
        const w = new Worker(script, { eval: true });
        w.once('message', resolve);
        w.once('error', reject);
      }));
      Promise.all(runs).then((messages) => {
        const iv = o.randomBytes(12);
        o.aesGcm.decrypt(mainKey, iv, o.aesGcm.encrypt(mainKey, iv, Buffer.from('main')));
        console.log(JSON.stringify(messages));
      });
    `);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([1, 2, 3].map(() => ({ text: 'from a worker', ok: true })));
  });

  it('survives a worker terminated while it holds keys and has work on the thread pool', () => {
    const result = runNode(`
      const { Worker } = require('node:worker_threads');
      const script = \`
        const { parentPort } = require('node:worker_threads');
        const o = require(process.cwd());
        const key = o.SecretKey.generate();
        const big = o.randomBytes(32 << 20);
        o.aesGcm.encryptAsync(key, o.randomBytes(12), big);
        o.AsymmetricKey.generateAsync({ type: 'rsa', modulusLength: 3072 });
        parentPort.postMessage('busy');
      \`;
      let left = 4;
      for (let i = 0; i < 4; i++) {
        const w = new Worker(script, { eval: true });
        w.once('message', () => w.terminate().then(() => { if (--left === 0) console.log('terminated all'); }));
      }
    `);
    expect(result.stderr).toBe('');
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('terminated all');
  });

  it('refuses a handle made in another thread instead of misusing it', () => {
    // Handles are not transferable: posting one copies a plain object, which the API refuses.
    const result = runNode(`
      const { Worker } = require('node:worker_threads');
      const o = require('./');
      const w = new Worker(\`
        const { parentPort } = require('node:worker_threads');
        const o = require(process.cwd());
        parentPort.once('message', (k) => {
          try { o.aesGcm.encrypt(k, o.randomBytes(12), Buffer.alloc(1)); parentPort.postMessage('used'); }
          catch (e) { parentPort.postMessage(e.code); }
        });
      \`, { eval: true });
      w.once('message', (m) => { console.log(m); w.terminate(); });
      try { w.postMessage(o.SecretKey.generate()); } catch (e) { console.log('not cloneable'); w.terminate(); }
    `);
    expect(result.status).toBe(0);
    expect(['INVALID_ARGUMENT', 'not cloneable']).toContain(result.stdout.trim());
  });
});
