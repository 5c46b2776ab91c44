'use strict';
/**
 * Bulk protection (issue 13): `openrms protect PATH --recursive` as a process of its own
 * (bench/bulk-worker.js: `runBulk` with the default jobs) against a shell loop running one
 * `openssl enc` process per file, the way a script would do it without openrms.
 *
 * 1. 10,000 files of 4 KiB (1,000 in quick runs) protected, files/s and MB/s. Target (issue
 *    13): 10x the loop.
 * 2. The same files, all under one license, unprotected (the run asks the service once).
 * 3. One 2 GiB file (64 MiB in quick runs; OPENRMS_BENCH_SKIP_LARGE=1 leaves it out), MB/s,
 *    against one `openssl enc` process.
 *
 * `openssl enc` has no GCM mode (AEAD ciphers are refused by `enc`), so the loop uses
 * AES-256-CTR, the stream mode GCM is built on, with the key and IV given in hex (`-K`, `-iv`):
 * no password derivation (`-pbkdf2`), no authentication, no container, no license, so the
 * baseline does less work per byte than openrms does.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { defaultJobs, passwordTokenProvider, RmsClient } = require('../..');
const { startService } = require('../../dist/server');
const { comparison, formatSpread } = require('../comparison');
const { measureInterleaved, median, pairedRatio } = require('../measure');
const { opensslCliVersion } = require('../openssl-speed');
const { writeRandomFile } = require('./protected-files');

const run = promisify(execFile);
const MiB = 1024 * 1024;
const SMALL_SIZE = 4096;
const FILES_PER_FOLDER = 100;
const WORKER = path.join(__dirname, '..', 'bulk-worker.js');
const EMAIL = 'alice@contoso.com';
const PASSWORD = 'bench-password-1';
// The figure for small files.
const SMALL_TARGET = 10;

function settings(options) {
  const largeSize = process.env.OPENRMS_BENCH_SKIP_LARGE === '1' ? 0 : (options.quick ? 64 : 2048) * MiB;
  // The loop's rate is per process, the same for every file: a quarter of the tree measures it
  // (the whole tree would take the loop ~40 s per round).
  return options.quick ? { files: 1000, loopFiles: 500, rounds: 1, largeSize } : { files: 10000, loopFiles: 2500, rounds: 3, largeSize };
}

function mib(bytes) {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

/** `count` random files of 4 KiB, 100 per folder: d000/f0000.txt ... */
function writeSmallFiles(dir, count) {
  for (let k = 0; k < count; k++) {
    const folder = path.join(dir, `d${String(Math.floor(k / FILES_PER_FOLDER)).padStart(3, '0')}`);
    if (k % FILES_PER_FOLDER === 0) fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `f${String(k).padStart(4, '0')}.txt`), crypto.randomBytes(SMALL_SIZE));
  }
}

/** Removes the files under `dir` whose names end with `suffix`. */
function removeFiles(dir, suffix) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) fs.unlinkSync(path.join(entry.parentPath ?? entry.path, entry.name));
  }
}

/** Runs a command to its end; seconds of wall time, start-up included, and its stdout. */
async function timed(program, args, env = {}) {
  const started = process.hrtime.bigint();
  const { stdout } = await run(program, args, { encoding: 'utf8', timeout: 1800000, maxBuffer: 16 * MiB, env: { ...process.env, ...env } });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, stdout };
}

/** A bulk run in a fresh process: `{ seconds, files, failed, bytes, maxRssBytes }`. */
async function bulk(store, operation, target) {
  const { seconds, stdout } = await timed(process.execPath, [WORKER, store, operation, target]);
  const result = JSON.parse(stdout.trim().split('\n').pop());
  if (result.failed !== 0) throw new Error(`bulk ${operation} of ${target}: ${result.failed} files failed`);
  return { seconds, ...result };
}

/** The shell loop: one openssl process per file (decrypting: `.enc` -> `.dec`). */
const LOOP = {
  protect: 'for f in "$1"/*/*.txt; do openssl enc -aes-256-ctr -K "$KEY" -iv "$IV" -in "$f" -out "$f.enc" || exit 1; done',
  unprotect: 'for f in "$1"/*/*.enc; do openssl enc -d -aes-256-ctr -K "$KEY" -iv "$IV" -in "$f" -out "${f%.enc}.dec" || exit 1; done',
};

function opensslKeys() {
  return { KEY: crypto.randomBytes(32).toString('hex'), IV: crypto.randomBytes(16).toString('hex') };
}

/** The service's log entries (it runs in this process): the unprotect runs' requests are counted. */
const requests = [];

async function signedIn(root) {
  const service = await startService({ dataDir: path.join(root, 'service'), port: 0, log: (entry) => requests.push(entry) });
  await service.accounts.addUser(EMAIL, { password: PASSWORD });
  const store = path.join(root, 'store');
  const client = await RmsClient.signIn({ store, serviceUrl: service.url, tokenProvider: passwordTokenProvider(EMAIL, PASSWORD) });
  client.close();
  return { service, store };
}

function useLicenseRequests() {
  return requests.filter((e) => e.event === 'request' && e.path === '/_wmcs/licensing/eul').length;
}

async function measureSmallFiles(root, store, s, withOpenssl) {
  const plain = path.join(root, 'plain');
  const sample = path.join(root, 'loop');
  const protectedTree = path.join(root, 'protected');
  writeSmallFiles(plain, s.files);
  writeSmallFiles(sample, s.loopFiles);
  fs.cpSync(plain, protectedTree, { recursive: true });
  const keys = opensslKeys();
  // Untimed first runs: the protected tree the unprotect runs read, the loop's .enc files, warm caches.
  await bulk(store, 'protect', protectedTree);
  removeFiles(protectedTree, '.txt');
  await bulk(store, 'protect', plain);
  removeFiles(plain, '.ptxt');
  if (withOpenssl) await timed('bash', ['-c', LOOP.protect, 'loop', sample], keys);

  const rss = [];
  let requestsPerRun = null;
  const candidates = {
    bulkProtect: {
      sample: async () => {
        const r = await bulk(store, 'protect', plain);
        removeFiles(plain, '.ptxt');
        rss.push(r.maxRssBytes);
        return r.files / r.seconds;
      },
    },
    bulkUnprotect: {
      sample: async () => {
        const before = useLicenseRequests();
        const r = await bulk(store, 'unprotect', protectedTree);
        requestsPerRun = useLicenseRequests() - before;
        removeFiles(protectedTree, '.txt');
        return r.files / r.seconds;
      },
    },
  };
  if (withOpenssl) {
    candidates.loopProtect = { sample: async () => s.loopFiles / (await timed('bash', ['-c', LOOP.protect, 'loop', sample], keys)).seconds };
    candidates.loopUnprotect = {
      sample: async () => {
        const { seconds } = await timed('bash', ['-c', LOOP.unprotect, 'loop', sample], keys);
        removeFiles(sample, '.dec');
        return s.loopFiles / seconds;
      },
    };
  }
  const m = await measureInterleaved(candidates, { rounds: s.rounds, warmup: 0 });
  return { m, rss, requestsPerRun };
}

async function measureLargeFile(root, store, s, withOpenssl) {
  const folder = path.join(root, 'large');
  fs.mkdirSync(folder);
  const file = path.join(folder, 'content.bin');
  writeRandomFile(file, s.largeSize);
  const keys = opensslKeys();
  const rss = [];
  const candidates = {
    bulk: {
      sample: async () => {
        const r = await bulk(store, 'protect', file);
        fs.rmSync(`${file}.pfile`);
        rss.push(r.maxRssBytes);
        return s.largeSize / r.seconds;
      },
    },
  };
  if (withOpenssl) {
    candidates.openssl = {
      sample: async () => {
        const { seconds } = await timed('openssl', ['enc', '-aes-256-ctr', '-K', keys.KEY, '-iv', keys.IV, '-in', file, '-out', `${file}.enc`]);
        fs.rmSync(`${file}.enc`);
        return s.largeSize / seconds;
      },
    };
  }
  // One untimed run of each first: this VM backs fresh memory slowly on first touch.
  for (const candidate of Object.values(candidates)) await candidate.sample();
  rss.length = 0;
  const m = await measureInterleaved(candidates, { rounds: s.rounds, warmup: 0 });
  return { m, rss };
}

async function runScenario(options) {
  const s = settings(options);
  const withOpenssl = opensslCliVersion() !== null;
  const noOpenssl = 'the openssl command is not installed';
  const jobs = defaultJobs();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openrms-bench-bulk-'));
  const { service, store } = await signedIn(root);
  const rows = [];
  const rate = (measurement) => (measurement === undefined ? null : measurement.rate);
  try {
    const small = await measureSmallFiles(root, store, s, withOpenssl);
    const files = `${s.files.toLocaleString('en-US')} files of 4 KiB`;
    const loopName = (verb) => `shell loop, one \`openssl enc ${verb}-aes-256-ctr\` process per file`;
    const mbps = (filesPerSecond) => (filesPerSecond === null ? 'n/a' : (filesPerSecond * SMALL_SIZE / 1e6).toFixed(1));
    const { bulkProtect, loopProtect, bulkUnprotect, loopUnprotect } = small.m;
    rows.push(comparison({
      scenario: `${files}: bulk protect (default jobs: ${jobs})`,
      openrms: { value: bulkProtect.rate, unit: 'files/s' },
      baseline: { name: loopName(''), value: rate(loopProtect), unit: 'files/s' },
      ratio: loopProtect ? pairedRatio(bulkProtect, loopProtect) : null,
      minRatio: SMALL_TARGET,
      notes: withOpenssl
        ? `${mbps(bulkProtect.rate)} MB/s vs ${mbps(loopProtect.rate)} MB/s; median of ${bulkProtect.rounds} rounds (spread ${formatSpread(bulkProtect)} / ` +
          `${formatSpread(loopProtect)}); the loop timed on ${s.loopFiles.toLocaleString('en-US')} of the files; openrms peak RSS ${mib(median(small.rss))}; ` +
          `where it stops: ${(2000 / bulkProtect.rate).toFixed(2)} ms of the 2 cores per file, most of it the kernel's (an unnamed file made and ` +
          'linked, the input opened, read and closed: about ten thread-pool round trips and their wake-ups per file); the 4 KiB of AES-GCM are microseconds'
        : noOpenssl,
    }));
    rows.push(comparison({
      scenario: `${files} under one license: bulk unprotect (default jobs: ${jobs})`,
      openrms: { value: bulkUnprotect.rate, unit: 'files/s' },
      baseline: { name: loopName('-d '), value: rate(loopUnprotect), unit: 'files/s' },
      ratio: loopUnprotect ? pairedRatio(bulkUnprotect, loopUnprotect) : null,
      notes: withOpenssl
        ? `recorded, no target; ${mbps(bulkUnprotect.rate)} MB/s vs ${mbps(loopUnprotect.rate)} MB/s; use-license requests per run: ${small.requestsPerRun}`
        : noOpenssl,
    }));
    removeFiles(root, '.txt');
    if (s.largeSize > 0) {
      const large = await measureLargeFile(root, store, s, withOpenssl);
      rows.push(comparison({
        scenario: `one ${mib(s.largeSize)} file: bulk protect (default jobs: ${jobs})`,
        openrms: { value: large.m.bulk.rate / 1e6, unit: 'MB/s' },
        baseline: { name: 'one `openssl enc -aes-256-ctr` process', value: large.m.openssl ? large.m.openssl.rate / 1e6 : null, unit: 'MB/s' },
        ratio: large.m.openssl ? pairedRatio(large.m.bulk, large.m.openssl) : null,
        notes: withOpenssl
          ? `recorded, no target; median of ${large.m.bulk.rounds} rounds (spread ${formatSpread(large.m.bulk)} / ${formatSpread(large.m.openssl)}); ` +
            `openrms peak RSS ${mib(median(large.rss))}`
          : noOpenssl,
      }));
    }
  } finally {
    await service.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

function howMeasured(options) {
  const s = settings(options);
  return `Files in the system temp folder (page cache warm). openrms: \`node bench/bulk-worker.js\` in a fresh process, ` +
    'which opens a signed-in store and calls `runBulk({ operation, paths: [tree], recursive: true })` with the default jobs ' +
    '(twice the cores, 4 to 16) and one license from scratch for every file (offline publishing: no request); timed from the ' +
    `process's start to its end. Small files: ${s.files.toLocaleString('en-US')} random files of 4 KiB, ${FILES_PER_FOLDER} per ` +
    'folder, protected beside themselves (outputs removed after each run, untimed); unprotect reads a tree protected once under ' +
    'one license, and counts the use-license requests the service (in the bench process) answered. Baseline: `bash -c \'for f in ' +
    'DIR/*/*.txt; do openssl enc -aes-256-ctr -K KEY -iv IV -in "$f" -out "$f.enc"; done\'` (and `enc -d` back), one process per ' +
    `file, timed on ${s.loopFiles.toLocaleString('en-US')} of the files (its cost is per process). \`openssl enc\` refuses GCM, so ` +
    'the baseline is AES-256-CTR with a raw key: no key derivation, no authentication, no container, no license. ' +
    (s.largeSize > 0 ? `Large: one random ${mib(s.largeSize)} file, protected by the same worker, against one \`openssl enc ` +
      '-aes-256-ctr\` process; one untimed run of each first. ' : 'Large file left out (OPENRMS_BENCH_SKIP_LARGE=1). ') +
    `One untimed run of each candidate, then ${s.rounds} interleaved round(s); rates from the median round, ratios per round.`;
}

module.exports = { name: 'bulk-files', run: runScenario, howMeasured };
