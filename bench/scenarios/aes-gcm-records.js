'use strict';
/**
 * AES-256-GCM on many 1 KiB records: one `aesGcm.encryptBatch` / `decryptBatch` call for the
 * whole batch against the idiomatic node:crypto loop (createCipheriv / createDecipheriv,
 * update, final, tag, per record). What it shows: the per-record cost of crossing into
 * native code and setting up a cipher, paid once per batch by openrms and once per record
 * by the loop. Targets (issues): the batch on one core (`encryptBatch`, synchronous) is at least
 * 5x the loop; spread across the cores (`encryptBatchAsync`, the libuv thread pool), 10x.
 */
const os = require('node:os');
const crypto = require('node:crypto');
const { aesGcm, SecretKey } = require('../..');
const { comparison, formatSpread } = require('../comparison');
const { measureInterleaved, pairedRatio } = require('../measure');

const RECORD_SIZE = 1024;
const TARGET = 5;
const ACROSS_CORES_TARGET = 10;

function settings(options) {
  return options.quick ? { count: 1024, rounds: 3, warmup: 1 } : { count: 8192, rounds: 15, warmup: 2 };
}

function makeRecords(count) {
  const data = crypto.randomBytes(count * RECORD_SIZE);
  const offsets = new Uint32Array(count + 1);
  for (let i = 0; i <= count; i++) offsets[i] = i * RECORD_SIZE;
  const list = [];
  for (let i = 0; i < count; i++) list.push(data.subarray(offsets[i], offsets[i + 1]));
  return { data, offsets, list };
}

/** The node:crypto loop as an application would write it: one cipher object per record. */
function nodeEncryptLoop(keyBytes, ivs, records) {
  const out = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const cipher = crypto.createCipheriv('aes-256-gcm', keyBytes, ivs.subarray(i * 12, i * 12 + 12));
    const ciphertext = cipher.update(records[i]);
    cipher.final();
    out[i] = { ciphertext, tag: cipher.getAuthTag() };
  }
  return out;
}

function nodeDecryptLoop(keyBytes, ivs, sealed) {
  const out = new Array(sealed.length);
  for (let i = 0; i < sealed.length; i++) {
    const decipher = crypto.createDecipheriv('aes-256-gcm', keyBytes, ivs.subarray(i * 12, i * 12 + 12));
    decipher.setAuthTag(sealed[i].tag);
    const plaintext = decipher.update(sealed[i].ciphertext);
    decipher.final(); // throws on a bad tag
    out[i] = plaintext;
  }
  return out;
}

/** Both sides must do the same work: same key, IVs and records give the same bytes. */
function checkAgreement(key, keyBytes, ivs, records) {
  const batch = aesGcm.encryptBatch(key, { data: records.data, offsets: records.offsets }, { ivs });
  const loop = nodeEncryptLoop(keyBytes, ivs, records.list);
  for (let i = 0; i < records.list.length; i++) {
    const sealed = batch.output.subarray(batch.offsets[i], batch.offsets[i + 1]);
    if (!sealed.equals(Buffer.concat([loop[i].ciphertext, loop[i].tag]))) {
      throw new Error(`encryptBatch and node:crypto disagree on record ${i}`);
    }
  }
  const opened = aesGcm.decryptBatch(key, { data: Buffer.from(batch.output), offsets: batch.offsets }, { ivs });
  if (!opened.authentic.every(Boolean) || !Buffer.from(opened.output).equals(records.data)) {
    throw new Error('decryptBatch did not return the records encryptBatch sealed');
  }
  return { sealedData: Buffer.from(batch.output), sealedOffsets: batch.offsets, loopSealed: loop };
}

async function run(options) {
  const { count, rounds, warmup } = settings(options);
  const key = SecretKey.generate(32);
  const keyBytes = key.export();
  const ivs = crypto.randomBytes(count * 12);
  const records = makeRecords(count);
  const { sealedData, sealedOffsets, loopSealed } = checkAgreement(key, keyBytes, ivs, records);
  const sealedList = [];
  for (let i = 0; i < count; i++) sealedList.push(sealedData.subarray(sealedOffsets[i], sealedOffsets[i + 1]));
  const asOffsets = { data: records.data, offsets: records.offsets };
  const sealedAsOffsets = { data: sealedData, offsets: sealedOffsets };
  // Outputs are preallocated once: the figure is the cipher work, not the allocator. The
  // node:crypto loop cannot be given an output buffer, so it allocates, as applications do.
  const encryptOutput = Buffer.allocUnsafe(count * (RECORD_SIZE + 16));
  const decryptOutput = Buffer.allocUnsafe(count * RECORD_SIZE);

  const results = await measureInterleaved({
    batchOffsets: { units: count, fn: () => aesGcm.encryptBatch(key, asOffsets, { ivs, output: encryptOutput }) },
    batchArray: { units: count, fn: () => aesGcm.encryptBatch(key, records.list, { ivs, output: encryptOutput }) },
    batchAsync: { units: count, fn: () => aesGcm.encryptBatchAsync(key, asOffsets, { ivs, output: encryptOutput }) },
    nodeLoop: { units: count, fn: () => nodeEncryptLoop(keyBytes, ivs, records.list) },
  }, { rounds, warmup });
  const decrypted = await measureInterleaved({
    batchOffsets: { units: count, fn: () => aesGcm.decryptBatch(key, sealedAsOffsets, { ivs, output: decryptOutput }) },
    batchArray: { units: count, fn: () => aesGcm.decryptBatch(key, sealedList, { ivs, output: decryptOutput }) },
    batchAsync: { units: count, fn: () => aesGcm.decryptBatchAsync(key, sealedAsOffsets, { ivs, output: decryptOutput }) },
    nodeLoop: { units: count, fn: () => nodeDecryptLoop(keyBytes, ivs, loopSealed) },
  }, { rounds, warmup });

  const unit = 'records/s';
  const cores = `${Math.min(os.availableParallelism(), threadPoolSize())} cores`;
  const row = (operation, input, m, base, baseName, minRatio = TARGET) => comparison({
    scenario: `AES-256-GCM 1 KiB records: ${operation} (${input})`,
    openrms: { value: m.rate, unit },
    baseline: { name: baseName, value: base.rate, unit },
    ratio: pairedRatio(m, base),
    minRatio,
    notes: `${count} records per call, median of ${m.rounds} rounds (spread ${formatSpread(m)} / ${formatSpread(base)})` +
      (minRatio === ACROSS_CORES_TARGET
        ? '; where it stops: every timed call here follows a forced full garbage collection (bench/measure.js, so that no candidate pays for ' +
          'another\'s garbage), whose concurrent sweeping runs on the same 2 cores as the two pool threads during the call; ' +
          '`openssl speed -multi 2 -evp aes-256-gcm -bytes 1024` does 2x its one-process rate on this machine'
        : ''),
  });
  return [
    row('encryptBatch', 'one Buffer + offsets', results.batchOffsets, results.nodeLoop, 'node:crypto createCipheriv loop'),
    row('encryptBatch', 'array of Buffers', results.batchArray, results.nodeLoop, 'node:crypto createCipheriv loop'),
    row('decryptBatch', 'one Buffer + offsets', decrypted.batchOffsets, decrypted.nodeLoop, 'node:crypto createDecipheriv loop'),
    row('decryptBatch', 'array of Buffers', decrypted.batchArray, decrypted.nodeLoop, 'node:crypto createDecipheriv loop'),
    row('encryptBatchAsync', `one Buffer + offsets, ${cores}`, results.batchAsync, results.nodeLoop, 'node:crypto createCipheriv loop (1 core)', ACROSS_CORES_TARGET),
    row('decryptBatchAsync', `one Buffer + offsets, ${cores}`, decrypted.batchAsync, decrypted.nodeLoop, 'node:crypto createDecipheriv loop (1 core)', ACROSS_CORES_TARGET),
  ];
}

function howMeasured(options) {
  const { count, rounds, warmup } = settings(options);
  return `One AES-256 key, ${count} random records of 1 KiB, one random 12-byte IV per record, no AAD. ` +
    'openrms seals the whole set in one synchronous `aesGcm.encryptBatch(key, records, { ivs, output })` call, with the ' +
    'records given once as one Buffer cut by a `Uint32Array` of offsets and once as an array of Buffers (subarrays of the ' +
    'same memory), into a preallocated output; `decryptBatch` opens the sealed set the same two ways. ' +
    '`encryptBatchAsync` / `decryptBatchAsync` do the same on the libuv thread pool, the records cut into one range per core ' +
    '(the across-cores rows; a Node application has no cheaper way to use several cores for this than worker threads). The baseline is the ' +
    'loop an application writes with node:crypto: per record `createCipheriv(\'aes-256-gcm\', key, iv)`, `update`, `final`, ' +
    '`getAuthTag` (and `createDecipheriv`, `setAuthTag`, `update`, `final` to open), with the same key bytes and IVs. ' +
    'Before timing, both sides are checked to produce identical ciphertexts and tags. ' +
    `Each call processes the whole set; ${warmup} untimed warm-up rounds, then ${rounds} rounds in which openrms and ` +
    'the loop alternate (order rotated each round); figures are records per second from the median round.';
}

/** Threads the pool runs (UV_THREADPOOL_SIZE, default 4), as libuv reads it. */
function threadPoolSize() {
  const size = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(size) && size > 0 ? size : 4;
}

module.exports = { name: 'aes-gcm-records', run, howMeasured, nodeEncryptLoop };
