'use strict';
/**
 * What a client pays for licensing on each key profile (docs/licenses.md "Key profiles"):
 * RSA-2048 against EC P-256, each against the public-key operations it cannot avoid, measured
 * by `openssl speed` in the same rounds (issue 16).
 *
 * - Protect distinct items: `serializeLicense(createLicense(...))`, an offline PL with a new
 *   content key each, signed with the publisher's device key and the key wrapped to the service.
 * - Open distinct items with a cached use license: `getContentKey(pl)` for items whose ULs are
 *   in the store, in a process started for the round (bench/open-worker.js: nothing remembered):
 *   read the UL, verify the PL, its CLC and the UL, unwrap the content key with the device key.
 * - Open them again: the same in a process that opened them before, which remembers the
 *   signatures it verified (lib/license/jws.ts) but still reads and checks each UL and unwraps
 *   each content key: a server opening the same documents again and again.
 * - Open with a fresh use license: the same with the store's ULs removed, so every open asks
 *   the service (in a process of its own) for a UL: `OPEN_CONCURRENCY` opens in flight.
 *
 * The limits: RSA, one private-key operation per item (`openssl speed rsa2048` sign/s: the
 * publisher's signature, the device's unwrap, the service's UL signature); EC, what each needs in
 * P-256 operations (`openssl speed ecdsap256 ecdhp256`): protect one ES256 signature, one
 * ephemeral key (about a signature) and one ECDH derivation; open one derivation; a fresh open the
 * slower side, the service's (a signature, an ephemeral key, a derivation). Target (issue 16): EC
 * opens at least 10,000/s on one core and at least 0.8x of each limit.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const o = require('../..');
const { comparison, formatSpread } = require('../comparison');
const { measureInterleaved } = require('../measure');
const { p256Ceiling, rsa2048Combined, rsa2048SignCeiling } = require('../openssl-speed');
const { addUsers, startService, stopService, PASSWORD } = require('./use-license-issuance');

const EC_OPENS_PER_SECOND = 10_000;
const LIMIT_TARGET = 0.8;
const OPEN_CONCURRENCY = 8;
const OPEN_WORKER = path.join(__dirname, '..', 'open-worker.js');

function settings(options) {
  return options.quick ? { items: 100, rounds: 3, speedSeconds: 1 } : { items: 1000, rounds: 7, speedSeconds: 1 };
}

/** Per profile, the openssl figure each row is held against, as `{ name, ceiling }` per operation. */
function limits(profile, seconds) {
  if (profile === 'rsa') {
    const rsa = { name: 'openssl speed rsa2048 sign/s (1 core): one private-key operation', ceiling: rsa2048SignCeiling(seconds) };
    const firstOpen = {
      name: '1 / (2 / rsa2048 verify/s + 1 / sign/s) (1 core): two verifications and one private-key operation',
      ceiling: rsa2048Combined(seconds, ({ sign, verify }) => 1 / (2 / verify + 1 / sign)),
    };
    return { protect: rsa, open: rsa, fresh: rsa, firstOpen };
  }
  const p256 = (name, combine) => ({ name, ceiling: p256Ceiling(seconds, combine) });
  return {
    protect: p256('1 / (2 / ecdsap256 sign/s + 1 / ecdhp256 op/s) (1 core): a signature, an ephemeral key, a derivation', ({ sign, derive }) => 1 / (2 / sign + 1 / derive)),
    open: p256('openssl speed ecdhp256 op/s (1 core): one derivation', ({ derive }) => derive),
    fresh: p256('the service\'s share, 1 / (2 / sign/s + 1 / op/s) (1 core)', ({ sign, derive }) => 1 / (2 / sign + 1 / derive)),
    firstOpen: p256('1 / (2 / ecdsap256 verify/s + 1 / ecdhp256 op/s) (1 core): two verifications and one derivation', ({ verify, derive }) => 1 / (2 / verify + 1 / derive)),
  };
}

async function signIn(dir, name, url, profile) {
  return o.RmsClient.signIn({
    store: path.join(dir, name), serviceUrl: url, tokenProvider: o.passwordTokenProvider(`${name}@contoso.com`, PASSWORD), deviceKeyType: profile,
  });
}

/** Runs `work(item)` over `items`, `concurrency` at a time. */
async function each(items, concurrency, work) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

async function measureProfile(profile, s) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `openrms-bench-profiles-${profile}-`));
  const dataDir = path.join(dir, 'service');
  await addUsers(dataDir, undefined, ['alice@contoso.com', 'bob@contoso.com'], profile);
  const { child, url } = await startService(dataDir, path.join(dir, 'service.log'), 1, undefined);
  try {
    const alice = await signIn(dir, 'alice', url, profile);
    const bob = await signIn(dir, 'bob', url, profile);
    const descriptor = alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], autoGrantOwner: true });
    const pls = [];
    for (let i = 0; i < s.items; i++) {
      const serialized = await alice.serializeLicense(descriptor);
      serialized.contentKey.close();
      pls.push(serialized.publishingLicense);
    }
    // Every item's UL fetched once, and each checked to be in the store for the cached rounds.
    await each(pls, OPEN_CONCURRENCY, async (pl) => (await bob.getContentKey(pl)).close());
    const licenses = path.join(dir, 'bob', 'services', bob.serviceId, 'licenses');
    if (fs.readdirSync(licenses).length !== s.items) throw new Error(`expected ${s.items} cached use licenses`);
    bob.close();
    const cachedLicenses = new Map(fs.readdirSync(licenses).map((name) => [name, fs.readFileSync(path.join(licenses, name))]));
    const restoreLicenses = () => {
      for (const [name, bytes] of cachedLicenses) fs.writeFileSync(path.join(licenses, name), bytes);
    };
    const openAll = async (concurrency) => {
      const client = o.RmsClient.open({ store: path.join(dir, 'bob') });
      try {
        let fromCache = 0;
        await each(pls, concurrency, async (pl) => {
          const license = await client.getContentKey(pl);
          fromCache += license.fromCache ? 1 : 0;
          license.close();
        });
        return fromCache;
      } finally {
        client.close();
      }
    };
    const plFile = path.join(dir, 'pls.txt');
    fs.writeFileSync(plFile, `${pls.join('\n')}\n`);
    const limit = limits(profile, s.speedSeconds);
    const reopener = o.RmsClient.open({ store: path.join(dir, 'bob') });
    const m = await measureInterleaved({
      protect: { units: s.items, fn: async () => { for (let i = 0; i < s.items; i++) (await alice.serializeLicense(descriptor)).contentKey.close(); } },
      openCached: {
        sample: () => {
          restoreLicenses();
          const { seconds, fromCache } = JSON.parse(execFileSync(process.execPath, [OPEN_WORKER, path.join(dir, 'bob'), plFile], { encoding: 'utf8' }));
          if (fromCache !== s.items) throw new Error(`only ${fromCache} of ${s.items} opens used the cached license`);
          return s.items / seconds;
        },
      },
      reopen: {
        sample: async () => {
          restoreLicenses();
          const started = process.hrtime.bigint();
          for (const pl of pls) {
            const license = await reopener.getContentKey(pl);
            if (!license.fromCache) throw new Error('a re-open did not use the cached license');
            license.close();
          }
          return s.items / (Number(process.hrtime.bigint() - started) / 1e9);
        },
      },
      openFresh: {
        sample: async () => {
          fs.rmSync(licenses, { recursive: true, force: true });
          const started = process.hrtime.bigint();
          const fromCache = await openAll(OPEN_CONCURRENCY);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          if (fromCache !== 0) throw new Error(`${fromCache} opens used a cached license`);
          return s.items / seconds;
        },
      },
      protectLimit: { sample: () => limit.protect.ceiling.sample() },
      ...(limit.open === limit.protect ? {} : { openLimit: { sample: () => limit.open.ceiling.sample() } }),
      firstOpenLimit: { sample: () => limit.firstOpen.ceiling.sample() },
    }, { rounds: s.rounds, warmup: 0 });
    alice.close();
    reopener.close();
    return { m, limit };
  } finally {
    await stopService(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run(options) {
  const s = settings(options);
  const rows = [];
  const unit = 'items/s';
  const figures = {};
  for (const profile of ['rsa', 'ec']) figures[profile] = await measureProfile(profile, s);
  for (const profile of ['rsa', 'ec']) {
    const { m, limit } = figures[profile];
    const label = profile === 'rsa' ? 'RSA-2048' : 'EC P-256';
    const openLimit = m.openLimit ?? m.protectLimit;
    const row = (what, x, lim, ceiling, extra = {}) => comparison({
      scenario: `${label}: ${what}`,
      openrms: { value: x.rate, unit },
      baseline: { name: lim.name, value: ceiling.rate, unit },
      ratio: x.rate === null || ceiling.rate === null ? null : x.rate / ceiling.rate,
      ...(profile === 'ec' ? { minRatio: LIMIT_TARGET } : {}),
      notes: `${s.items} items, median of ${x.rounds} rounds (spread ${formatSpread(x)}); limit: \`${lim.ceiling.command}\`, median of the same rounds${extra.notes ?? ''}`,
    });
    const perItem = (x, ceiling) => (x.rate === null || ceiling.rate === null ? '' : `; ${(1e6 / x.rate).toFixed(0)} us per item against ${(1e6 / ceiling.rate).toFixed(0)} us of public-key work`);
    rows.push(row('protect distinct items (an offline PL each, 1 core)', m.protect, limit.protect, m.protectLimit,
      { notes: `${perItem(m.protect, m.protectLimit)}: the rest is the PL built, sealed (policy and data, AES-GCM), serialized and encoded in JavaScript, and OpenSSL 3's EVP set-up around each key operation` }));
    rows.push(row('open distinct items with a cached use license, first time in a process (1 core)', m.openCached, limit.open, openLimit,
      { notes: '; each round in a new process (bench/open-worker.js), every UL read from the store, every signature verified' }));
    rows.push(comparison({
      scenario: `${label}: open distinct items with a cached use license, first time in a process (1 core)`,
      openrms: { value: m.openCached.rate, unit },
      baseline: { name: limit.firstOpen.name, value: m.firstOpenLimit.rate, unit },
      ratio: m.openCached.rate === null || m.firstOpenLimit.rate === null ? null : m.openCached.rate / m.firstOpenLimit.rate,
      notes: 'why the first open stops where it does: it must verify the PL and the UL (the CLC once per publisher) before it unwraps, ' +
        `so this is its limit in public-key work alone; \`${limit.firstOpen.ceiling.command}\`, median of the same rounds`,
    }));
    rows.push(row('open the same items again in a process that opened them (1 core)', m.reopen, limit.open, openLimit,
      { notes: `; signatures remembered from the first opens, every UL still read from the store and checked, every content key unwrapped${perItem(m.reopen, openLimit)}: ` +
        (profile === 'ec'
          ? 'the unwrap through OpenSSL 3\'s EVP (the peer point imported, a derive context, HKDF, AES-KW) costs half as much again as the bare derivation, '
          : 'the RSA-OAEP decryption through OpenSSL 3\'s EVP costs a little more than the bare private-key operation, ') +
        'and the UL file\'s stamp, the PL lookup, the time checks and the license object take the rest' }));
    rows.push(row(`open distinct items with a fresh use license (${OPEN_CONCURRENCY} in flight, service in its own process)`, m.openFresh, limit.fresh, profile === 'ec' ? m.protectLimit : openLimit,
      { notes: '; the rate the slower side (the service) allows in public-key work alone; where it stops: each open is an HTTP round trip to the service ' +
        '(the service\'s HTTP, JSON, access-token and audit work, and the client\'s) with 8 in flight on the same 2 cores: see use-license-issuance for the service\'s side' }));
    if (profile === 'ec') {
      for (const [what, x] of [['first time in a process', m.openCached], ['again', m.reopen]]) {
        rows.push(comparison({
          scenario: `${label}: open distinct items with a cached use license, ${what} (1 core)`,
          openrms: { value: x.rate, unit },
          baseline: { name: 'issue 16\'s floor', value: EC_OPENS_PER_SECOND, unit },
          ratio: x.rate === null ? null : x.rate / EC_OPENS_PER_SECOND,
          minRatio: 1,
          notes: `at least ${EC_OPENS_PER_SECOND.toLocaleString('en-US')} opens per second on one core`,
        }));
      }
    }
  }
  const ratio = (a, b) => (a === null || b === null ? null : a / b);
  for (const [what, key] of [['protect distinct items', 'protect'], ['open with a cached use license, first time in a process', 'openCached'],
    ['open again', 'reopen'], ['open with a fresh use license', 'openFresh']]) {
    const ec = figures.ec.m[key];
    const rsa = figures.rsa.m[key];
    rows.push(comparison({
      scenario: `EC P-256 against RSA-2048: ${what}`,
      openrms: { value: ec.rate, unit },
      baseline: { name: 'the same on RSA-2048', value: rsa.rate, unit },
      ratio: ratio(ec.rate, rsa.rate),
      notes: 'context: the profiles measured one after the other, each against its own limits above',
    }));
  }
  return rows;
}

function howMeasured(options) {
  const s = settings(options);
  return `For each key profile (RSA-2048, then EC P-256): a service data folder whose service.json sets \`keyProfile\`, ` +
    'alice and bob added to its SQLite database, the service run in a process of its own (bench/service-process.js, as ' +
    'use-license-issuance), both users signed in with that profile\'s device keys (`deviceKeyType`). Alice makes ' +
    `${s.items} offline PLs granting Bob VIEW; Bob opens each once to put its UL in his store. Then ${s.rounds} ` +
    'interleaved rounds of: protect (Alice makes another ' + `${s.items} PLs, one at a time); open cached (the store's ULs put back as they were, a ` +
    'new process, bench/open-worker.js, opens a client on Bob\'s store and calls `getContentKey(pl)` for every item one at a time, ' +
    'each checked to come from the cache, timing the opens alone); open again (the same in the bench process, with one client ' +
    'kept from round to round); ' +
    `open fresh (the store's ULs removed, a client opened, every item opened with ${OPEN_CONCURRENCY} in flight, each a ` +
    'UL request to the service); and the openssl figures the rows are held against (see the scenario\'s header). ' +
    'Figures are items per second, medians over rounds; ratios are openrms over the limit.';
}

module.exports = { name: 'licensing-profiles', run, howMeasured };
