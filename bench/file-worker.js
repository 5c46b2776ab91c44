'use strict';
/**
 * One timed file operation in a fresh process, so its peak RSS is its own:
 *
 *   node bench/file-worker.js <candidate> <input> <output> <content key hex>
 *
 * prints `{"seconds": s, "maxRssBytes": n}` (VmHWM from /proc/self/status where there is one:
 * ru_maxrss would carry over the parent's peak across fork and exec). Candidates:
 * - openrms-protect / openrms-unprotect: `protectFile` / `unprotectFile`;
 * - node-protect / node-unprotect: the node:crypto baseline, a stream pipeline
 *   (fs.createReadStream -> Transform -> fs.createWriteStream) doing the same construction as
 *   AES256-GCM-STREAM: HKDF-SHA256 file key from the content key and a salt, 64 KiB segments
 *   each sealed with AES-256-GCM (nonce from the index; AAD = SHA-256 of the header, index,
 *   last flag), one segment held back so the last one is known;
 * - copy: the I/O floor, a read/write loop of 1 MiB blocks through FileHandle, no crypto.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const { Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { peakRss } = require('./peak-rss');

const SEGMENT = 64 * 1024;
const TAG = 16;
const HEADER = 44;
const INFO = Buffer.from('openrms AES256-GCM-STREAM v1');

function nonce(index) {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function aad(digest, index, last) {
  const a = Buffer.alloc(41);
  digest.copy(a, 0);
  a.writeBigUInt64BE(BigInt(index), 32);
  a[40] = last ? 1 : 0;
  return a;
}

/** Cuts its input into units of `unit` bytes, holding one back until it knows whether more follows. */
class Segmenter extends Transform {
  constructor(unit, seal) {
    super();
    this.unit = unit;
    this.seal = seal;
    this.pending = Buffer.alloc(0);
    this.index = 0;
  }

  _transform(chunk, _encoding, done) {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length > this.unit) {
      this.push(this.seal(this.pending.subarray(0, this.unit), this.index++, false));
      this.pending = this.pending.subarray(this.unit);
    }
    done();
  }

  _flush(done) {
    try {
      this.push(this.seal(this.pending, this.index++, true));
      done();
    } catch (error) {
      done(error);
    }
  }
}

async function nodeProtect(input, output, contentKey) {
  const header = Buffer.concat([Buffer.from('ORGCMS\x01\x00'), Buffer.alloc(4), crypto.randomBytes(32)]);
  header.writeUInt32LE(SEGMENT, 8);
  const fileKey = Buffer.from(crypto.hkdfSync('sha256', contentKey, header.subarray(12), INFO, 32));
  const digest = crypto.createHash('sha256').update(header).digest();
  const seal = (segment, index, last) => {
    const cipher = crypto.createCipheriv('aes-256-gcm', fileKey, nonce(index));
    cipher.setAAD(aad(digest, index, last));
    const sealed = Buffer.allocUnsafe(segment.length + TAG);
    cipher.update(segment).copy(sealed, 0);
    cipher.final();
    cipher.getAuthTag().copy(sealed, segment.length);
    return sealed;
  };
  const out = fs.createWriteStream(output);
  out.write(header);
  await pipeline(fs.createReadStream(input, { highWaterMark: 1024 * 1024 }), new Segmenter(SEGMENT, seal), out);
}

async function nodeUnprotect(input, output, contentKey) {
  const fd = fs.openSync(input, 'r');
  const header = Buffer.alloc(HEADER);
  fs.readSync(fd, header, 0, HEADER, 0);
  fs.closeSync(fd);
  const fileKey = Buffer.from(crypto.hkdfSync('sha256', contentKey, header.subarray(12), INFO, 32));
  const digest = crypto.createHash('sha256').update(header).digest();
  const open = (sealed, index, last) => {
    const n = sealed.length - TAG;
    const decipher = crypto.createDecipheriv('aes-256-gcm', fileKey, nonce(index));
    decipher.setAAD(aad(digest, index, last));
    decipher.setAuthTag(sealed.subarray(n));
    const plaintext = decipher.update(sealed.subarray(0, n));
    decipher.final();
    return plaintext;
  };
  await pipeline(fs.createReadStream(input, { start: HEADER, highWaterMark: 1024 * 1024 }),
    new Segmenter(SEGMENT + TAG, open), fs.createWriteStream(output));
}

async function copy(input, output) {
  const fsp = require('node:fs/promises');
  // 1 MiB, like openrms's own writes (see MAX_WRITE in lib/format/atomic-file.ts).
  const block = Buffer.allocUnsafe(1024 * 1024);
  const from = await fsp.open(input, 'r');
  const to = await fsp.open(output, 'w');
  try {
    for (let position = 0; ; position += block.length) {
      const { bytesRead } = await from.read(block, 0, block.length, position);
      if (bytesRead === 0) break;
      await to.write(block, 0, bytesRead, position);
    }
  } finally {
    await from.close();
    await to.close();
  }
}

async function main() {
  const [candidate, input, output, keyHex] = process.argv.slice(2);
  const contentKey = Buffer.from(keyHex, 'hex');
  let run;
  if (candidate.startsWith('openrms-')) {
    const openrms = require('..');
    const key = openrms.SecretKey.import(contentKey);
    const license = Buffer.from('{"bench":"opaque license"}');
    run = candidate === 'openrms-protect'
      ? () => openrms.protectFile(input, key, license, { outputPath: output, overwrite: true })
      : () => openrms.unprotectFile(input, key, { outputPath: output, overwrite: true });
  } else if (candidate === 'copy') {
    run = () => copy(input, output);
  } else {
    run = candidate === 'node-protect' ? () => nodeProtect(input, output, contentKey) : () => nodeUnprotect(input, output, contentKey);
  }
  const started = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ seconds, maxRssBytes: peakRss() })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
