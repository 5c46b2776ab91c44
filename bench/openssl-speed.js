'use strict';
/**
 * Ceilings from the openssl CLI (`openssl speed`): what OpenSSL itself reaches on this
 * machine with no JavaScript around it. The machine's speed drifts (a shared, noisy VM), so
 * a scenario samples its ceiling in the same interleaved rounds as its own measurement
 * (bench/measure.js) and reports the median sample. When the CLI is missing or fails, the
 * ceiling is null with a reason, and the report says so instead of a ratio.
 */
const { execFileSync } = require('node:child_process');
const { median } = require('./measure');

/** `openssl version`, or null when the CLI cannot be run. */
function opensslCliVersion() {
  try {
    return execFileSync('openssl', ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10000 }).trim();
  } catch {
    return null;
  }
}

/**
 * Parses the table `openssl speed -evp <cipher>` prints ("type  16 bytes ... 16384 bytes",
 * then one row of figures in 1000s of bytes per second) into bytes per second at `size`.
 */
function parseCipherSpeed(output, size) {
  const lines = output.split('\n');
  const header = lines.findIndex((line) => /^type\s/.test(line));
  if (header < 0 || header + 1 >= lines.length) throw new Error('no "type" header in openssl speed output');
  const sizes = [...lines[header].matchAll(/(\d+) bytes/g)].map((m) => Number(m[1]));
  const column = sizes.indexOf(size);
  if (column < 0) throw new Error(`no ${size}-byte column in openssl speed output`);
  const figures = [...lines[header + 1].matchAll(/([\d.]+)k/g)].map((m) => Number(m[1]));
  if (figures.length !== sizes.length) throw new Error('openssl speed row does not match its header');
  return figures[column] * 1000;
}

/**
 * Reads one column (`sign/s` or `verify/s`) of `openssl speed rsa2048` output ("  sign  verify
 * sign/s verify/s" over "rsa 2048 bits 0.000811s 0.000024s 1233.3 41012.1"; OpenSSL 3.2+ adds
 * encrypt/decrypt columns, so the column is found by its header). With `-multi N` the last such
 * row is the sum over the N processes.
 */
function parseRsaSpeedColumn(output, header) {
  const lines = output.split('\n');
  let row = -1;
  lines.forEach((line, i) => {
    if (/^rsa\s+2048 bits\s/.test(line)) row = i;
  });
  if (row < 1) throw new Error('no "rsa 2048 bits" row in openssl speed output');
  const headers = lines[row - 1].trim().split(/\s+/);
  const figures = lines[row].replace(/^rsa\s+2048 bits\s+/, '').trim().split(/\s+/);
  const column = headers.indexOf(header);
  if (column < 0 || headers.length !== figures.length) throw new Error(`no ${header} column in openssl speed output`);
  return Number(figures[column]);
}

/** Verifications per second from `openssl speed rsa2048`. */
function parseRsaVerifySpeed(output) {
  return parseRsaSpeedColumn(output, 'verify/s');
}

/** Signatures per second from `openssl speed rsa2048`. */
function parseRsaSignSpeed(output) {
  return parseRsaSpeedColumn(output, 'sign/s');
}

/** One `openssl speed` figure, sampled as often as the scenario asks. */
class SpeedCeiling {
  constructor(args, parse, timeoutSeconds) {
    this.args = args;
    this.parse = parse;
    this.timeoutSeconds = timeoutSeconds;
    this.samples = [];
    this.failure = null;
  }

  get command() {
    return `openssl ${this.args.join(' ')}`;
  }

  /** Runs the command once; returns its figure (also kept for `result`), or null if it failed. */
  sample() {
    if (this.failure !== null) return null;
    try {
      const output = execFileSync('openssl', this.args, {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: this.timeoutSeconds * 1000,
      });
      const figure = this.parse(output);
      this.samples.push(figure);
      return figure;
    } catch (error) {
      this.failure = error.code === 'ENOENT' ? 'openssl CLI not found on PATH'
        : `\`${this.command}\` failed: ${String(error.message).split('\n')[0]}`;
      return null;
    }
  }

  /** `{ value, samples, command }`: the median sample, or null (with `reason`) when openssl could not be run. */
  result() {
    if (this.failure !== null || this.samples.length === 0) {
      return { value: null, reason: this.failure ?? 'not sampled', samples: [], command: this.command };
    }
    return { value: median(this.samples), samples: [...this.samples], command: this.command };
  }
}

/** `cipher` (an -evp name) bytes per second on `bytes`-byte blocks, one process. */
function cipherCeiling(cipher, seconds, bytes) {
  return new SpeedCeiling(['speed', '-seconds', String(seconds), '-bytes', String(bytes), '-evp', cipher],
    (output) => parseCipherSpeed(output, bytes), seconds * 10 + 30);
}

/** AES-256-GCM bytes per second on 16 KiB blocks (or `bytes`), one process. */
function aes256GcmCeiling(seconds, bytes = 16384) {
  return cipherCeiling('aes-256-gcm', seconds, bytes);
}

/** AES-256-CBC bytes per second on `bytes`-byte blocks, one process. */
function aes256CbcCeiling(seconds, bytes) {
  return cipherCeiling('aes-256-cbc', seconds, bytes);
}

/** RSA-2048 verifications per second, one process, or the sum of `processes` run at once. */
function rsa2048VerifyCeiling(seconds, processes = 1) {
  const multi = processes > 1 ? ['-multi', String(processes)] : [];
  return new SpeedCeiling(['speed', '-seconds', String(seconds), ...multi, 'rsa2048'], parseRsaVerifySpeed, seconds * 20 + 30);
}

/** RSA-2048 signatures per second (private-key operations), one process, or the sum of `processes` run at once. */
function rsa2048SignCeiling(seconds, processes = 1) {
  const multi = processes > 1 ? ['-multi', String(processes)] : [];
  return new SpeedCeiling(['speed', '-seconds', String(seconds), ...multi, 'rsa2048'], parseRsaSignSpeed, seconds * 20 + 30);
}

/**
 * An RSA-2048 figure derived from sign/s and verify/s of one `openssl speed rsa2048` run
 * (`combine({ sign, verify })`), one process: e.g. the rate of an operation costing two
 * verifications and one private-key operation.
 */
function rsa2048Combined(seconds, combine) {
  return new SpeedCeiling(['speed', '-seconds', String(seconds), 'rsa2048'],
    (output) => combine({ sign: parseRsaSignSpeed(output), verify: parseRsaVerifySpeed(output) }), seconds * 20 + 30);
}

/**
 * The figures of one `openssl speed` row for a curve: " 256 bits ecdsa (nistp256) 0.0000s 0.0001s
 * 52227.3 16926.0" (sign/s, verify/s) or " 256 bits ecdh (nistp256) 0.0000s 22304.0" (op/s): the
 * per-second columns are the last ones.
 */
function parseCurveRow(output, kind, columns) {
  const row = output.split('\n').filter((line) => new RegExp(`^\\s*256 bits ${kind} \\(nistp256\\)`).test(line)).pop();
  if (row === undefined) throw new Error(`no "256 bits ${kind} (nistp256)" row in openssl speed output`);
  const figures = row.trim().split(/\s+/).slice(-columns).map(Number);
  if (figures.some((n) => !Number.isFinite(n))) throw new Error(`unreadable ${kind} figures in openssl speed output`);
  return figures;
}

/**
 * P-256 operations per second, one process, from one `openssl speed ecdsap256 ecdhp256` run:
 * `{ sign, verify, derive }` (ECDSA sign/s and verify/s, ECDH derivations/s).
 */
function parseP256Speed(output) {
  const [sign, verify] = parseCurveRow(output, 'ecdsa', 2);
  const [derive] = parseCurveRow(output, 'ecdh', 1);
  return { sign, verify, derive };
}

/**
 * A P-256 figure derived from ECDSA sign/s and ECDH derive/s (`combine({ sign, verify, derive })`),
 * one process: e.g. the rate of an operation costing one signature and one derivation.
 */
function p256Ceiling(seconds, combine) {
  return new SpeedCeiling(['speed', '-seconds', String(seconds), 'ecdsap256', 'ecdhp256'], (output) => combine(parseP256Speed(output)), seconds * 40 + 30);
}

module.exports = {
  aes256CbcCeiling, aes256GcmCeiling, opensslCliVersion, p256Ceiling, parseCipherSpeed, parseP256Speed, parseRsaSignSpeed,
  parseRsaVerifySpeed, rsa2048Combined, rsa2048SignCeiling, rsa2048VerifyCeiling,
};
