'use strict';
/**
 * AES-256-GCM on one large buffer (1 MiB, and 64 MiB outside quick runs): `aesGcm.encrypt`
 * (synchronous) and `aesGcm.encryptAsync` (libuv thread pool) against node:crypto's
 * createCipheriv / update / final / getAuthTag on the same buffer, and against the ceiling
 * OpenSSL reaches on its own (`openssl speed -evp aes-256-gcm`, 16 KiB blocks). On large
 * buffers the cipher should dominate, so openrms should match node:crypto (both run
 * OpenSSL's EVP AES-GCM) and come close to the ceiling; any gap is overhead around the
 * cipher. The issue sets no target here: the figures are reported.
 */
const crypto = require('node:crypto');
const { aesGcm, SecretKey } = require('../..');
const { comparison, formatSpread } = require('../comparison');
const { measureInterleaved, pairedRatio } = require('../measure');
const { aes256GcmCeiling } = require('../openssl-speed');

const MiB = 1024 * 1024;
const CEILING_NAME = 'openssl speed -evp aes-256-gcm (16 KiB blocks, 1 core)';

function settings(options) {
  return options.quick
    ? { cases: [{ size: MiB, callsPerRound: 8 }], rounds: 3, warmup: 1, speedSeconds: 1 }
    : { cases: [{ size: MiB, callsPerRound: 32 }, { size: 64 * MiB, callsPerRound: 1 }], rounds: 11, warmup: 2, speedSeconds: 1 };
}

function sizeLabel(size) {
  return size >= MiB ? `${size / MiB} MiB` : `${size / 1024} KiB`;
}

/** node:crypto on one buffer, without concatenating: the strongest form of the baseline. */
function nodeEncrypt(keyBytes, iv, plaintext) {
  const cipher = crypto.createCipheriv('aes-256-gcm', keyBytes, iv);
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  return { ciphertext, tag: cipher.getAuthTag() };
}

function repeat(times, fn) {
  return () => {
    for (let i = 0; i < times; i++) fn();
  };
}

function repeatAsync(times, fn) {
  return async () => {
    for (let i = 0; i < times; i++) await fn();
  };
}

async function checkAgreement(key, keyBytes, iv, plaintext) {
  const reference = nodeEncrypt(keyBytes, iv, plaintext);
  const sealed = aesGcm.encrypt(key, iv, plaintext);
  const what = `on a ${sizeLabel(plaintext.length)} buffer`;
  if (!sealed.equals(Buffer.concat([reference.ciphertext, reference.tag]))) throw new Error(`aesGcm.encrypt and node:crypto disagree ${what}`);
  if (!(await aesGcm.encryptAsync(key, iv, plaintext)).equals(sealed)) throw new Error(`aesGcm.encryptAsync disagrees ${what}`);
  const output = Buffer.alloc(sealed.length);
  aesGcm.encryptInto(key, iv, plaintext, output);
  if (!output.equals(sealed)) throw new Error(`aesGcm.encryptInto disagrees ${what}`);
}

async function measureCase(key, keyBytes, iv, ceiling, { size, callsPerRound }, { rounds, warmup }) {
  const plaintext = crypto.randomBytes(size);
  await checkAgreement(key, keyBytes, iv, plaintext);
  // aesGcm.encrypt returns a new Buffer; encryptInto writes into the caller's buffer, which
  // separates the cipher from the cost of fresh output memory.
  const output = Buffer.alloc(size + 16);
  const bytes = size * callsPerRound;
  return measureInterleaved({
    sync: { units: bytes, fn: repeat(callsPerRound, () => aesGcm.encrypt(key, iv, plaintext)) },
    async: { units: bytes, fn: repeatAsync(callsPerRound, () => aesGcm.encryptAsync(key, iv, plaintext)) },
    intoOutput: { units: bytes, fn: repeat(callsPerRound, () => aesGcm.encryptInto(key, iv, plaintext, output)) },
    node: { units: bytes, fn: repeat(callsPerRound, () => nodeEncrypt(keyBytes, iv, plaintext)) },
    // Not compared: how fast this machine hands out and first touches fresh memory of this
    // size, the floor under any call that returns a new output buffer.
    firstTouch: { units: bytes, fn: repeat(callsPerRound, () => Buffer.allocUnsafe(size + 16).fill(0)) },
    ceiling: { sample: () => ceiling.sample() },
  }, { rounds, warmup, collectGarbage: false });
}

async function run(options) {
  const { cases, rounds, warmup, speedSeconds } = settings(options);
  const ceiling = aes256GcmCeiling(speedSeconds);
  const key = SecretKey.generate(32);
  const keyBytes = key.export();
  const iv = crypto.randomBytes(12);
  const unit = 'MB/s';
  const mbps = (rate) => (rate === null ? null : rate / 1e6);
  const rows = [];
  for (const c of cases) {
    const m = await measureCase(key, keyBytes, iv, ceiling, c, { rounds, warmup });
    const { size, callsPerRound } = c;
    const note = (x, base) => `${callsPerRound} call${callsPerRound > 1 ? 's' : ''} per round, median of ${x.rounds} rounds ` +
      `(spread ${formatSpread(x)}${base ? ` / ${formatSpread(base)}` : ''})`;
    const freshMemory = `fresh ${sizeLabel(size)} buffers alone (allocate + first touch): ${mbps(m.firstTouch.rate).toFixed(0)} MB/s`;
    const ceilingNote = m.ceiling.rate === null ? ceiling.result().reason
      : `ceiling: \`${ceiling.command}\`, median of ${m.ceiling.rounds} samples taken in the same rounds (spread ${formatSpread(m.ceiling)})`;
    const apis = [['sync', 'aesGcm.encrypt'], ['async', 'aesGcm.encryptAsync'], ['intoOutput', 'aesGcm.encryptInto (caller\'s buffer)']];
    for (const [label, api] of apis) {
      const scenario = `AES-256-GCM ${sizeLabel(size)} buffer: ${api}`;
      const openrms = { value: mbps(m[label].rate), unit };
      rows.push(comparison({
        scenario, openrms,
        baseline: { name: 'node:crypto createCipheriv update/final', value: mbps(m.node.rate), unit },
        ratio: pairedRatio(m[label], m.node),
        notes: `${note(m[label], m.node)}${label === 'intoOutput' ? '' : `; ${freshMemory}`}`,
      }));
      rows.push(comparison({
        scenario, openrms,
        baseline: { name: CEILING_NAME, value: mbps(m.ceiling.rate), unit },
        ratio: pairedRatio(m[label], m.ceiling),
        notes: `${note(m[label])}; ${ceilingNote}`,
      }));
    }
  }
  return rows;
}

function howMeasured(options) {
  const { cases, rounds, warmup, speedSeconds } = settings(options);
  const sizes = cases.map((c) => `${sizeLabel(c.size)} (${c.callsPerRound} call${c.callsPerRound > 1 ? 's' : ''} per round)`).join(' and ');
  return `One AES-256 key, one random 12-byte IV, one random plaintext of ${sizes}, no AAD. ` +
    'openrms: `aesGcm.encrypt(key, iv, plaintext)` on the JavaScript thread, and `await aesGcm.encryptAsync(...)` on the ' +
    'libuv thread pool (one call at a time, so one core; the figure includes the hand-off to the pool and back); both ' +
    'allocate and return a new `ciphertext || tag` Buffer on every call. A third openrms figure, ' +
    '`aesGcm.encryptInto(key, iv, plaintext, output)`, writes into one buffer allocated before timing ' +
    '(the cipher without the cost of fresh output memory). node:crypto baseline: `createCipheriv(\'aes-256-gcm\', key, iv)`, one `update(plaintext)`, `final()`, ' +
    '`getAuthTag()`, without concatenating (its strongest form). All sides are checked to produce the same bytes first. ' +
    `${warmup} warm-up rounds, then ${rounds} interleaved rounds (no forced garbage collection, unlike the other ` +
    'scenarios); MB/s (10^6 bytes per second) from the median round. The notes also give how fast the machine ' +
    'allocates and first touches fresh buffers of the same size (`Buffer.allocUnsafe(n).fill(0)`), measured in the same ' +
    `rounds. Ceiling: \`openssl speed -seconds ${speedSeconds} -bytes 16384 -evp aes-256-gcm\` (one process, one core, ` +
    'one 16 KiB buffer reused, so no fresh memory; its 16384-byte column, in 1000s of bytes per second), run once in ' +
    'every round alongside the others; the median sample is the figure.';
}

module.exports = { name: 'aes-gcm-large-buffers', run, howMeasured };
