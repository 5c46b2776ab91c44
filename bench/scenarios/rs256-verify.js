'use strict';
/**
 * RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RSA-2048) verification of many signatures, as a
 * licensing service or a client checking license chains does: `verifyBatchAsync` (spread
 * over the libuv thread pool) and `verifyBatch` (one native call on this thread) against a
 * node:crypto `crypto.verify` loop over prebuilt KeyObjects, and against the ceiling
 * `openssl speed rsa2048` reaches per core, times the cores the batch uses.
 * Target (issue): batch verification >= 80% of openssl's verify rate per core used.
 */
const crypto = require('node:crypto');
const os = require('node:os');
const { AsymmetricKey, sign, verifyBatch, verifyBatchAsync } = require('../..');
const { comparison, formatSpread } = require('../comparison');
const { measureInterleaved, pairedRatio } = require('../measure');
const { rsa2048VerifyCeiling } = require('../openssl-speed');

const KEY_COUNT = 4;
// A JWS signing input of a small license (base64url header . payload) is of this order.
const DATA_SIZE = 512;
const TARGET = 0.8;

function settings(options) {
  return options.quick
    ? { count: 512, rounds: 3, warmup: 1, speedSeconds: 1 }
    : { count: 4096, rounds: 7, warmup: 1, speedSeconds: 2 };
}

/** Cores `verifyBatchAsync` can keep busy: its ranges run on the libuv pool, one per thread. */
function coresUsed() {
  const pool = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Math.min(os.cpus().length, pool > 0 ? pool : 4);
}

async function makeItems(count) {
  const keys = [];
  for (let k = 0; k < KEY_COUNT; k++) keys.push(await AsymmetricKey.generateAsync({ type: 'rsa', modulusLength: 2048 }));
  const publicKeys = keys.map((key) => key.publicKey());
  const nodeKeys = publicKeys.map((key) => crypto.createPublicKey(key.exportPem()));
  const items = [];
  const nodeItems = [];
  for (let i = 0; i < count; i++) {
    const k = i % KEY_COUNT;
    const data = crypto.randomBytes(DATA_SIZE);
    const signature = sign('RS256', keys[k], data);
    items.push({ algorithm: 'RS256', key: publicKeys[k], data, signature });
    nodeItems.push({ data, key: nodeKeys[k], signature });
  }
  return { items, nodeItems };
}

function nodeVerifyLoop(nodeItems) {
  const results = new Array(nodeItems.length);
  for (let i = 0; i < nodeItems.length; i++) {
    const item = nodeItems[i];
    results[i] = crypto.verify('sha256', item.data, item.key, item.signature);
  }
  return results;
}

/** Every signature is valid, and every side must say so, or the timing compares nothing. */
async function checkAgreement(items, nodeItems) {
  const wrong = (results) => results.findIndex((ok) => ok !== true);
  const checks = { verifyBatchAsync: await verifyBatchAsync(items), verifyBatch: verifyBatch(items), 'node:crypto': nodeVerifyLoop(nodeItems) };
  for (const [name, results] of Object.entries(checks)) {
    if (results.length !== items.length || wrong(results) >= 0) throw new Error(`${name} rejected valid signature ${wrong(results)}`);
  }
  const tampered = { ...items[0], signature: Buffer.from(items[0].signature) };
  tampered.signature[10] ^= 1;
  if ((await verifyBatchAsync([tampered, items[1]]))[0] !== false) throw new Error('verifyBatchAsync accepted a tampered signature');
}

async function run(options) {
  const { count, rounds, warmup, speedSeconds } = settings(options);
  const cores = coresUsed();
  const { items, nodeItems } = await makeItems(count);
  await checkAgreement(items, nodeItems);
  // One core's rate (the issue's yardstick, times the cores used), and, for context, the rate
  // openssl gets from `cores` processes at once: on a VM whose vCPUs share physical cores
  // the second can be well under `cores` times the first, and it varies with the host's load.
  const perCore = rsa2048VerifyCeiling(speedSeconds);
  const parallel = cores > 1 ? rsa2048VerifyCeiling(speedSeconds, cores) : null;
  const m = await measureInterleaved({
    batchAsync: { units: count, fn: () => verifyBatchAsync(items) },
    batchSync: { units: count, fn: () => verifyBatch(items) },
    nodeLoop: { units: count, fn: () => nodeVerifyLoop(nodeItems) },
    perCore: { sample: () => perCore.sample() },
    ...(parallel === null ? {} : { parallel: { sample: () => parallel.sample() } }),
  }, { rounds, warmup });

  const unit = 'verifications/s';
  const plural = (n, word) => `${n} ${word}${n > 1 ? 's' : ''}`;
  const notes = (x, base) => `${count} signatures from ${KEY_COUNT} keys, ${DATA_SIZE}-byte data, median of ${x.rounds} rounds ` +
    `(spread ${formatSpread(x)}${base ? ` / ${formatSpread(base)}` : ''})`;
  const ceilingNote = (ceiling, x, per = '') => (x.rate === null ? ceiling.result().reason
    : `ceiling: \`${ceiling.command}\`, median of ${x.rounds} samples taken in the same rounds (spread ${formatSpread(x)}): ${x.rate.toFixed(0)}/s${per}`);
  const nodeLoop = { name: 'node:crypto crypto.verify loop (1 core)', value: m.nodeLoop.rate, unit };
  const asyncName = `RS256 verify: verifyBatchAsync (${plural(cores, 'core')})`;
  const batchAsync = { value: m.batchAsync.rate, unit };
  const batchSync = { value: m.batchSync.rate, unit };
  const scaling = parallel !== null && m.parallel.rate !== null && m.perCore.rate !== null
    ? `; in the same rounds ${cores} openssl processes at once reached ${pairedRatio(m.parallel, m.perCore).toFixed(2)}x one process ` +
      `(the yardstick assumes ${cores}x), and verifyBatchAsync ${pairedRatio(m.batchAsync, m.batchSync).toFixed(2)}x verifyBatch`
    : '';
  const rows = [
    comparison({
      scenario: asyncName, openrms: batchAsync, baseline: nodeLoop, ratio: pairedRatio(m.batchAsync, m.nodeLoop), notes: notes(m.batchAsync, m.nodeLoop),
    }),
    comparison({
      scenario: asyncName,
      openrms: batchAsync,
      baseline: { name: `openssl speed rsa2048 verify/s (1 core) x ${cores}`, value: m.perCore.rate === null ? null : m.perCore.rate * cores, unit },
      ratio: pairedRatio(m.batchAsync, m.perCore, cores),
      minRatio: TARGET,
      notes: `${notes(m.batchAsync)}; ${ceilingNote(perCore, m.perCore, ' per core')}${scaling}`,
    }),
  ];
  if (parallel !== null) {
    rows.push(comparison({
      scenario: asyncName,
      openrms: batchAsync,
      baseline: { name: `openssl speed -multi ${cores} rsa2048 verify/s (${cores} processes at once)`, value: m.parallel.rate, unit },
      ratio: pairedRatio(m.batchAsync, m.parallel),
      notes: `${notes(m.batchAsync)}; context, not the issue's yardstick: what ${plural(cores, 'core')} of this machine give openssl ` +
        `together; ${ceilingNote(parallel, m.parallel)}${scaling}`,
    }));
  }
  rows.push(
    comparison({
      scenario: 'RS256 verify: verifyBatch (1 core)', openrms: batchSync, baseline: nodeLoop, ratio: pairedRatio(m.batchSync, m.nodeLoop), notes: notes(m.batchSync, m.nodeLoop),
    }),
    comparison({
      scenario: 'RS256 verify: verifyBatch (1 core)',
      openrms: batchSync,
      baseline: { name: 'openssl speed rsa2048 verify/s (1 core)', value: m.perCore.rate, unit },
      ratio: pairedRatio(m.batchSync, m.perCore),
      minRatio: TARGET,
      notes: `${notes(m.batchSync)}; ${ceilingNote(perCore, m.perCore)}`,
    }),
  );
  return rows;
}

function howMeasured(options) {
  const { count, rounds, warmup, speedSeconds } = settings(options);
  const cores = coresUsed();
  return `${KEY_COUNT} RSA-2048 key pairs made with \`AsymmetricKey.generateAsync\`; ${count} random ${DATA_SIZE}-byte messages, ` +
    'signed RS256 in turn by each key with openrms `sign`. openrms verifies all of them with the public keys ' +
    '(`key.publicKey()`) in one `verifyBatchAsync(items)` call (ranges of the batch on the libuv thread pool; the cores ' +
    `it can use are min(os.cpus().length, UV_THREADPOOL_SIZE or 4) = ${cores} here) and in one synchronous ` +
    '`verifyBatch(items)` call (one core). The node:crypto baseline loops `crypto.verify(\'sha256\', data, keyObject, ' +
    'signature)` with KeyObjects made once by `crypto.createPublicKey` from the same public keys. All three are checked ' +
    `to accept every signature (and openrms to reject a tampered one) before timing; ${warmup} warm-up round, then ` +
    `${rounds} interleaved rounds, each verifying the whole set; verifications per second from the median round. ` +
    `Ceiling (the issue's yardstick): the verify/s column of \`openssl speed -seconds ${speedSeconds} rsa2048\` (one ` +
    'process, one core; it verifies a 36-byte digest, so hashing the message is not in it), multiplied by the cores ' +
    'the openrms call uses (1 for `verifyBatch`). ' +
    (cores > 1 ? `For context, \`openssl speed -seconds ${speedSeconds} -multi ${cores} rsa2048\` gives what ${cores} ` +
      'processes at once reach together on this machine, which is what a parallel batch can at best approach. ' : '') +
    'Each ceiling runs once in every round, alongside the openrms and node:crypto calls; the median sample is the figure.';
}

module.exports = { name: 'rs256-verify', run, howMeasured, coresUsed };
