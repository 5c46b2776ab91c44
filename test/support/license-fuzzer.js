'use strict';
/**
 * A seeded fuzzer for the parsers of publishing licenses, use licenses and certificates
 * (docs/licenses.md, "Fuzzing"). Its publishing licenses are signed validly, by mallory or eve
 * (users holding a CLC the service issued) or by the service itself, so they get past the
 * signature check and reach the binding code; but their sealed parts (`ck`, `egr`, `ead`) come
 * from other licenses, or their claims were changed as JSON (types, missing fields, huge
 * numbers, nesting, unicode, duplicate keys, other spellings of the same number) and signed
 * again. Use licenses and certificates are mutated and signed again with the service's key.
 *
 * The property checked on every case:
 * - a PL through verifyPl, unwrapPlContentKey, openPolicy and openAppData yields exactly the
 *   content key, grants and application data its sealed parts were made with, when nothing
 *   bound to them (version, content ID, owner, signer, clear policy) changed, and the content
 *   key is an AES-256 key; otherwise it is refused with an RmsError carrying a code. A splice
 *   of well-formed parts is refused as LICENSE_SPLICED, precisely.
 * - a UL, RAC, CLC or SLC is refused with an RmsError carrying a code, or accepted with the
 *   claims its type declares; a UL's content key opens to the key it was made with.
 * Never another exception, never another policy.
 *
 * Plain JavaScript over the library it is given, so that the jest test
 * (test/license/license-fuzz.test.ts) runs it against lib/ and scripts/fuzz-licenses.js against
 * dist/.
 */

const PL_TYPE = 'openrms-pl+jws';
const UL_TYPE = 'openrms-ul+jws';
const MALLORY = 'mallory@contoso.com';
const EVE = 'eve@contoso.com';
const BOB = 'bob@contoso.com';
const PEOPLE = ['alice@contoso.com', BOB, 'carol@contoso.com', MALLORY, 'ANYONE'];
const RIGHTS = ['COMMENT', 'EDIT', 'EXPORT', 'EXTRACT', 'OWNER', 'PRINT', 'VIEW', 'VIEWRIGHTSDATA'];
const MAX_EPOCH_SECONDS = 253402300799;
/** The kinds of case, and how often a case draws each. */
const PARTS = ['ck', 'egr', 'ead'];
const WEIGHTS = { splice: 35, 'mutate-pl': 35, 'content-key': 6, 'mutate-ul': 12, 'mutate-certificate': 12 };
const KINDS = Object.keys(WEIGHTS);
const TOTAL_WEIGHT = KINDS.reduce((sum, kind) => sum + WEIGHTS[kind], 0);
/** Content key lengths a forger may wrap: only 32 bytes (AES-256) is a PL's content key. */
const KEY_LENGTHS = [0, 1, 15, 16, 24, 31, 32, 33, 64, 190];

const STRINGS = [
  '', ' ', 'x', 'null', '7', 'ANYONE', 'OWNER', 'VIEW', MALLORY, 'MALLORY@CONTOSO.COM', ` ${MALLORY}`, `${MALLORY}\u0000`,
  'alice@contoso.com', 'ａｌｉｃｅ@contoso.com', '\u212Aelvin@contoso.com', 'al\u200Dice@contoso.com', '\ud800', '\udfff\ud800',
  '\u202Emoc.osotnoc@ecila', '😀@😀', 'AES256-GCM-STREAM', '6F1C2F0E-3A7B-4C1D-9E8F-0A1B2C3D4E5F',
  '{6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f}', '6f1c2f0e-3a7b-4c1d-9e8f-0a1b2c3d4e5f', 'AAAA', 'A'.repeat(344), '=', '__proto__',
];
const NUMBERS = [
  0, -0, 1, -1, 2, 7, 1.5, 65535, 65536, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, MAX_EPOCH_SECONDS,
  MAX_EPOCH_SECONDS + 1, 1e21, 1e300, Number.MAX_VALUE, Number.MIN_VALUE, -1e300,
];
/** Other spellings of a JSON number, and numbers JSON.parse cannot hold. */
const NUMBER_SPELLINGS = [(n) => `${n}.0`, (n) => `${n}e0`, (n) => `${n}E+0`, (n) => `${n}00e-2`, () => '-0', () => '1e400', () => '-1e400', () => '0.1e-400'];

/** mulberry32: small, seeded, and the same on every machine. */
function seededRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const below = (n) => Math.floor(next() * n);
  return { next, below, pick: (items) => items[below(items.length)], chance: (p) => next() < p };
}

/** A violated property: names the case, so that `replay` can run it alone. */
class FuzzViolation extends Error {
  constructor(message, details) {
    super(message);
    this.name = 'FuzzViolation';
    this.details = details;
  }
}

const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const isPlainObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const parseOrUndefined = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const isEpochSeconds = (value) => Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH_SECONDS;
const preview = (value) => {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}…(${text.length})` : text;
};

/** Deep equality of JSON values (0 and -0 alike, as JSON writes them). */
function equal(a, b) {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal(a[k], b[k]));
}

/**
 * The claims a PL's sealed parts are bound to, as docs/licenses.md lists them; written out
 * here rather than taken from plBinding, so that a binding that leaves one out is caught.
 */
function boundClaims(claims) {
  const pol = isPlainObject(claims.pol) ? claims.pol : {};
  return [claims.ver, claims.cid, claims.own, claims.iss, pol.template === undefined ? null : pol.template, pol.contentValidUntil, pol.offlineDays];
}

function base64urlJson(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * @param lib the openrms library (lib/ or dist/), with `unwrapPlContentKey` and `buildPlClaims`
 *   from its license/publishing-license module
 * @param vectors test/license/vectors/licenses.json
 * @param seed cases are numbered; case i of a seed makes the same mutations on every run
 */
function createLicenseFuzzer(lib, vectors, seed) {
  const now = vectors.now;
  const keyOf = (name) => lib.AsymmetricKey.importPem(vectors.keys[name]);
  const service = keyOf('service');
  const wrapping = keyOf('wrapping');
  const bob = keyOf('bob');
  const slc = lib.verifySlc(vectors.tokens.slc, { pinned: [service.thumbprint()], now });
  const payloadOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  const urls = payloadOf(vectors.tokens.clc).urls;
  const clcFor = (email, userKey) => lib.issueClc(service, { email, userKey, wrappingKey: wrapping, urls, iat: now - 3600, exp: now + 365 * 86400 });
  // Mallory (RSA) and eve (EC) hold CLCs the service issued: they can sign a PL that verifies.
  const malloryKey = lib.AsymmetricKey.generate({ type: 'rsa' });
  const eveKey = lib.AsymmetricKey.generate({ type: 'ec' });
  const signers = {
    mallory: { key: malloryKey, clc: clcFor(MALLORY, malloryKey), owner: MALLORY },
    eve: { key: eveKey, clc: clcFor(EVE, eveKey), owner: EVE },
    alice: { key: keyOf('alice'), clc: vectors.tokens.clc, owner: 'alice@contoso.com' },
    service: { key: service, clc: null, owner: null },
  };
  const forgers = ['mallory', 'mallory', 'eve', 'service'];

  function uuid(rng) {
    const hex = Array.from({ length: 32 }, () => '0123456789abcdef'[rng.below(16)]).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  /** Grants already in the form openPolicy returns them (emails in lower case, rights sorted). */
  function randomGrants(rng) {
    const grants = [];
    for (const who of PEOPLE) {
      if (!rng.chance(0.4)) continue;
      const rights = RIGHTS.filter(() => rng.chance(0.3));
      grants.push({ who, rights: rights.length === 0 ? ['VIEW'] : rights });
    }
    return grants;
  }

  function randomClearPolicy(rng) {
    return {
      template: rng.chance(0.3) ? uuid(rng) : null,
      contentValidUntil: rng.chance(0.5) ? null : now + rng.below(1000) * 86400 + 1,
      offlineDays: rng.pick([0, 1, 7, 30, 65535]),
    };
  }

  /**
   * A PL as its signer makes it, with what its sealed parts hold: `like` copies the content ID
   * and clear policy of another PL (a forger's way to get the same binding).
   */
  function makePl(rng, signerName, like) {
    const signer = signers[signerName];
    const contentKey = lib.SecretKey.generate(32);
    const grants = randomGrants(rng);
    const pol = like !== undefined && rng.chance(0.7) ? clone(like.claims.pol) : randomClearPolicy(rng);
    const owner = signer.owner ?? (like !== undefined && rng.chance(0.7) ? like.claims.own : rng.pick(PEOPLE.slice(0, 4)));
    const appData = rng.chance(0.5) ? { note: rng.pick(['finance', 'ｆｉｎａｎｃｅ', '😀', '']), [rng.pick(['k', 'ключ', '__proto__'])]: 'v' } : {};
    const claims = lib.buildPlClaims({
      owner, policy: { ...pol, grants }, contentKey, wrappingKey: wrapping, urls, iat: now - 60,
      contentId: like !== undefined && rng.chance(0.7) ? like.claims.cid : uuid(rng),
      signedData: rng.chance(0.5) ? { department: 'finance' } : {}, encryptedData: appData,
      descriptors: rng.chance(0.5) ? [{ lang: 'en-us', name: 'n', description: 'd' }] : [],
    }, signer.key, signer.clc);
    const keyHex = contentKey.export().toString('hex');
    contentKey.close();
    const made = { signer: signerName, claims, keyHex, grants, appData };
    // Where each sealed part came from, and what it opens to.
    made.parts = { ck: made, egr: made, ead: made };
    return made;
  }

  /**
   * PLs whose parts and claims are moved into others, made once from the seed, so that every
   * case depends on its seed and number only and can be replayed alone.
   */
  const donorRng = seededRandom(seed ^ 0x5eed);
  const donors = Array.from({ length: 16 }, (_, i) => makePl(donorRng, ['alice', 'mallory', 'eve', 'service', 'alice', 'service'][i % 6]));
  /** A donor; of `signerName` when given. */
  function donor(rng, signerName) {
    return rng.pick(donors.filter((d) => signerName === undefined || d.signer === signerName));
  }

  function signRaw(payloadText, key, typ) {
    const header = { alg: key.type === 'ec' ? 'ES256' : 'RS256', kid: key.thumbprint(), typ };
    const input = `${base64urlJson(header)}.${base64urlJson(payloadText)}`;
    return `${input}.${lib.sign(header.alg, key, Buffer.from(input, 'ascii')).toString('base64url')}`;
  }

  // --- JSON mutations ---------------------------------------------------------------------

  function randomValue(rng, depth = 0) {
    switch (rng.below(depth > 3 ? 4 : 7)) {
      case 0: return null;
      case 1: return rng.chance(0.5);
      case 2: return rng.pick(NUMBERS);
      case 3: return rng.pick(STRINGS);
      case 4: return Array.from({ length: rng.below(3) }, () => randomValue(rng, depth + 1));
      case 5: return Object.fromEntries(Array.from({ length: rng.below(3) }, () => [rng.pick(['who', 'rights', 'grants', 'template', 'x']), randomValue(rng, depth + 1)]));
      default: {
        // Deep nesting.
        let value = randomValue(rng, 4);
        for (let i = rng.below(200); i > 0; i--) value = rng.chance(0.5) ? [value] : { a: value };
        return value;
      }
    }
  }

  function tweak(rng, value) {
    if (typeof value === 'string') {
      const at = rng.below(value.length + 1);
      return rng.pick([
        () => value.toUpperCase(), () => `${value} `, () => ` ${value}`, () => `${value}\u0000`, () => value.slice(0, at),
        () => `${value.slice(0, at)}${rng.pick(['=', '!', '.', 'A', '\u00e9', '\u0301', '\ufeff'])}${value.slice(at)}`, () => value + value,
      ])();
    }
    if (typeof value === 'number') return rng.pick([value + 1, value - 1, -value, value * 1e10, value + 0.5, value * 86400]);
    return rng.chance(0.5) ? [value] : { value };
  }

  /** Every path into a JSON value, to depth 3. */
  function paths(value, prefix = [], out = []) {
    if (prefix.length >= 3 || typeof value !== 'object' || value === null) return out;
    for (const key of Object.keys(value)) {
      out.push([...prefix, key]);
      paths(value[key], [...prefix, key], out);
    }
    return out;
  }

  function at(root, path) {
    // Own members only: `constructor` or `__proto__` on a path must not reach the prototype.
    return path.reduce((node, key) => (typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? node[key] : undefined), root);
  }

  /** Changes one thing in `claims` (in place); returns what it did. */
  function mutateObject(rng, claims, others) {
    const all = paths(claims);
    const path = rng.pick(all);
    const parent = at(claims, path.slice(0, -1));
    const key = path[path.length - 1];
    const where = path.join('.');
    switch (rng.below(6)) {
      case 0:
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        return `delete ${where}`;
      case 1: {
        const value = randomValue(rng);
        parent[key] = value;
        return `${where} = ${preview(value)}`;
      }
      case 2: {
        const other = rng.pick(others);
        const value = clone(at(other, path));
        if (value === undefined) return 'nothing';
        parent[key] = value;
        return `${where} = ${where} of another license`;
      }
      case 3: {
        // A field of this license moved to another place.
        const value = clone(at(claims, rng.pick(all)));
        parent[key] = value;
        return `${where} = ${preview(value)} (another field)`;
      }
      case 4: {
        const extra = rng.pick(['grants', 'x', 'egr', '__proto__', 'template', 'constructor']);
        const value = extra === 'grants' ? [{ who: MALLORY, rights: ['OWNER'] }] : randomValue(rng);
        if (isPlainObject(parent)) Object.defineProperty(parent, extra, { value, enumerable: true, writable: true, configurable: true });
        return `add ${[...path.slice(0, -1), extra].join('.')} = ${preview(value)}`;
      }
      default: {
        const value = tweak(rng, parent[key]);
        parent[key] = value;
        return `${where} tweaked to ${preview(value)}`;
      }
    }
  }

  /** For each character of JSON text: inside a string (true), part of an escape in one ('escape'), or neither. */
  function stringMask(text) {
    const mask = new Array(text.length).fill(false);
    for (let i = 0, open = false; i < text.length; i++) {
      if (text[i] === '\\' && open) {
        const end = i + (text[i + 1] === 'u' ? 5 : 1);
        for (; i <= end; i++) mask[i] = 'escape';
        i--;
      } else if (text[i] === '"') {
        mask[i] = true;
        open = !open;
      } else {
        mask[i] = open;
      }
    }
    return mask;
  }

  /** Changes the JSON text without (usually) changing what it parses to, or to what JSON.parse alone reads. */
  function mutateText(rng, text) {
    const inString = stringMask(text);
    switch (rng.below(4)) {
      case 0: {
        // A duplicate key: JSON.parse keeps the last one.
        const key = rng.pick(['cid', 'own', 'iss', 'ver', 'pol', 'ck', 'egr', 'ead', 'clc', 'grants']);
        const value = rng.chance(0.5) ? randomValue(rng) : JSON.parse(text)[key];
        return [`${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value ?? null)}}`, `duplicate key ${key} = ${preview(value)}`];
      }
      case 1: {
        const numbers = [...text.matchAll(/:(-?\d+)(?=[,}\]])/g)].filter((m) => inString[m.index] === false);
        if (numbers.length === 0) return [text, 'nothing'];
        const m = rng.pick(numbers);
        const spelled = rng.pick(NUMBER_SPELLINGS)(m[1]);
        return [`${text.slice(0, m.index + 1)}${spelled}${text.slice(m.index + 1 + m[1].length)}`, `number ${m[1]} spelled ${spelled}`];
      }
      case 2: {
        // A letter inside a string (key or value) written as a \u escape.
        const letters = [...text.matchAll(/[A-Za-z]/g)].filter((m) => inString[m.index] === true);
        const i = rng.pick(letters).index;
        const escaped = `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
        return [`${text.slice(0, i)}${escaped}${text.slice(i + 1)}`, `letter ${text[i]} at ${i} escaped`];
      }
      default: {
        const spots = [...text.matchAll(/[,:{[]/g)].filter((m) => inString[m.index] === false);
        const m = rng.pick(spots);
        return [`${text.slice(0, m.index + 1)} \n\t${text.slice(m.index + 1)}`, `whitespace at ${m.index + 1}`];
      }
    }
  }

  /** 1 to 3 object mutations, then sometimes one text mutation: the payload text and what was done. */
  function mutate(rng, claims, others) {
    const done = [];
    for (let n = 1 + rng.below(3); n > 0; n--) done.push(mutateObject(rng, claims, others));
    let text = JSON.stringify(claims);
    if (rng.chance(0.3)) {
      const [changed, what] = mutateText(rng, text);
      text = changed;
      done.push(what);
    }
    return { text, done };
  }

  // --- running a license through the parsers ------------------------------------------------

  /** Runs `step`: its value, or the RmsError it threw; anything else thrown is a violation. */
  function attempt(stage, step) {
    try {
      return { value: step() };
    } catch (error) {
      if (error instanceof lib.RmsError && typeof error.code === 'string') return { code: error.code };
      throw new FuzzViolation(`${stage} threw ${error && error.name}: ${error && error.message}`, { stage, error });
    }
  }

  /** The service's and a key holder's path through a PL: each step's outcome. */
  function openPl(token) {
    const out = { verified: attempt('verifyPl', () => lib.verifyPl(token, slc, { now, refuseFutureIssue: true })) };
    if (out.verified.code !== undefined) return out;
    out.key = attempt('unwrapPlContentKey', () => lib.unwrapPlContentKey(out.verified.value, wrapping));
    if (out.key.code !== undefined) return out;
    const key = out.key.value;
    try {
      out.keyHex = key.export().toString('hex');
      out.policy = attempt('openPolicy', () => lib.openPolicy(out.verified.value.claims, key));
      out.appData = attempt('openAppData', () => lib.openAppData(out.verified.value.claims, key));
    } finally {
      key.close();
    }
    return out;
  }

  function outcomeOf(opened) {
    for (const step of ['verified', 'key', 'policy', 'appData']) if (opened[step]?.code !== undefined) return opened[step].code;
    return 'opened';
  }

  /** What the PL's parts open to, if anything: its whole policy (clear part from the claims). */
  function policyOf(claims, grants) {
    return { template: claims.pol.template ?? null, grants, contentValidUntil: claims.pol.contentValidUntil, offlineDays: claims.pol.offlineDays };
  }

  /**
   * The property for a PL whose parts come from `source` (for each of ck, egr, ead) and whose
   * claims are `claims`: a step that succeeds gives exactly what the part was made with, and
   * only when the claims it is bound to are those it was made under.
   */
  function checkPl(opened, claims, source) {
    const fail = (message) => { throw new FuzzViolation(message, { opened }); };
    if (claims === undefined && opened.verified.code === undefined) fail('verifyPl accepted a payload that is not JSON');
    if (opened.key === undefined || opened.key.code !== undefined) return;
    const bound = boundClaims(claims);
    if (!equal(bound, boundClaims(source.ck.claims))) fail('the content key unwrapped under other bound claims than it was wrapped for');
    if (opened.keyHex !== source.ck.keyHex) fail('the content key unwrapped to another key than was wrapped');
    if (opened.keyHex.length !== 64) fail(`a content key of ${opened.keyHex.length / 2} bytes was accepted (a PL's is AES-256)`);
    if (opened.policy.code === undefined) {
      if (!equal(bound, boundClaims(source.egr.claims)) || opened.keyHex !== source.egr.keyHex) fail('grants opened that were sealed for another license');
      if (!equal(opened.policy.value, policyOf(source.egr.claims, source.egr.grants))) fail(`another policy was accepted: ${preview(opened.policy.value)}`);
    }
    if (opened.appData.code === undefined) {
      const value = opened.appData.value;
      if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) fail(`the application data is not name/value strings: ${preview(value)}`);
      if (claims.ead !== null && (!equal(bound, boundClaims(source.ead.claims)) || opened.keyHex !== source.ead.keyHex)) fail('application data opened that was sealed for another license');
      if (!equal(value, claims.ead === null ? {} : source.ead.appData)) fail(`other application data was accepted: ${preview(value)}`);
    }
  }

  /** The same for a splice of well-formed parts: every step's outcome is known in advance. */
  function checkSplice(opened, claims, source) {
    const fail = (message) => { throw new FuzzViolation(message, { opened }); };
    if (opened.verified.code !== undefined) fail(`a well-formed PL was refused by verifyPl: ${opened.verified.code}`);
    const bound = boundClaims(claims);
    const opens = (part) => !source[part].misplaced && !source.ck.misplaced && equal(bound, boundClaims(source[part].claims)) && source[part].keyHex === source.ck.keyHex;
    const expect = (step, yes) => {
      const got = opened[step].code ?? 'opened';
      if (got !== (yes ? 'opened' : 'LICENSE_SPLICED')) fail(`${step}: expected ${yes ? 'it to open' : 'LICENSE_SPLICED'}, got ${got}`);
    };
    expect('key', opens('ck'));
    if (opened.key.code !== undefined) return;
    expect('policy', opens('egr'));
    expect('appData', claims.ead === null || opens('ead'));
    checkPl(opened, claims, source);
  }

  // --- the cases ----------------------------------------------------------------------------

  const stats = { cases: 0, kinds: {}, outcomes: {}, reachedBinding: 0 };
  function record(kind, outcome, opened) {
    stats.cases++;
    stats.kinds[kind] = (stats.kinds[kind] ?? 0) + 1;
    const key = `${kind} ${outcome}`;
    stats.outcomes[key] = (stats.outcomes[key] ?? 0) + 1;
    if (opened?.key !== undefined) stats.reachedBinding++;
  }

  /** ck, egr and/or ead of other licenses in a PL a forger signs. */
  function splice(rng, details) {
    const signerName = rng.pick(forgers);
    // Sometimes a PL of the same signer: the only one whose bound claims a forger can copy whole.
    const from = donor(rng, rng.chance(0.4) ? signerName : undefined);
    const made = makePl(rng, signerName, from);
    const claims = made.claims;
    const source = { ...made.parts };
    const own = { ...claims };
    const moved = [];
    for (const part of PARTS) {
      if (!rng.chance(0.5)) continue;
      // Sometimes from another slot, of the other PL or of this one (same key and claims, another part).
      const slot = rng.chance(0.25) ? rng.pick(PARTS.filter((p) => p !== part)) : part;
      const origin = slot !== part && rng.chance(0.5) ? made : from;
      const value = origin === made ? own[slot] : from.claims[slot];
      if (value === null) continue;
      claims[part] = value;
      source[part] = slot === part ? origin : { ...origin, misplaced: true };
      moved.push(slot === part ? part : `${origin === made ? 'its own' : 'the'} ${slot} as ${part}`);
    }
    if (moved.length === 0) {
      const part = rng.pick(['ck', 'egr']);
      claims[part] = from.claims[part];
      source[part] = from;
      moved.push(part);
    }
    details.what = `${signerName} signs ${moved.join(', ')} of a PL by ${from.signer}${claims.cid === from.claims.cid ? ', same cid' : ''}${claims.own === from.claims.own ? ', same owner' : ''}${equal(claims.pol, from.claims.pol) ? ', same policy' : ''}`;
    const token = details.token = lib.signJws(claims, signers[signerName].key, PL_TYPE);
    const opened = openPl(token);
    checkSplice(opened, claims, source);
    return opened;
  }

  /** A PL's claims changed as JSON and signed again by its signer. */
  function mutatePl(rng, details) {
    const signerName = rng.pick(forgers);
    const made = makePl(rng, signerName, rng.chance(0.3) ? donor(rng) : undefined);
    const claims = clone(made.claims);
    const others = [donor(rng), donor(rng)];
    const { text, done } = mutate(rng, claims, others.map((other) => other.claims));
    details.what = `${signerName}'s PL: ${done.join('; ')}`;
    const token = details.token = signRaw(text, signers[signerName].key, PL_TYPE);
    const opened = openPl(token);
    const changed = parseOrUndefined(text);
    checkPl(opened, changed, changed === undefined ? made.parts : sourcesOf(changed, [made, ...others]));
    return opened;
  }

  /**
   * Where each sealed part of `claims` came from: the PL among `made` whose part it is (a part
   * copied from another PL of the same signer, content ID, owner and policy opens as that PL's),
   * else the first (a changed part must not open at all).
   */
  function sourcesOf(claims, made) {
    return Object.fromEntries(PARTS.map((part) => [part, made.find((m) => m.claims[part] === claims[part]) ?? made[0]]));
  }

  /** A content key of another length wrapped under the right label, the grants sealed with it where AES can. */
  function contentKeyLength(rng, details) {
    const signerName = rng.pick(forgers);
    const made = makePl(rng, signerName);
    const claims = made.claims;
    const length = rng.pick(KEY_LENGTHS);
    const bytes = Buffer.from(Array.from({ length }, () => rng.below(256)));
    const binding = lib.plBinding(claims);
    claims.ck = lib.rsaOaep.wrap(wrapping, bytes, { label: Buffer.from(`openrms-pl/content-key/${binding}`) }).toString('base64url');
    if ([16, 24, 32].includes(length)) {
      const key = lib.SecretKey.import(bytes);
      const seal = (what, value) => {
        const iv = lib.randomBytes(12);
        return Buffer.concat([iv, lib.aesGcm.encrypt(key, iv, Buffer.from(JSON.stringify(value)), Buffer.from(`openrms-pl/${what}/${binding}`))]).toString('base64url');
      };
      claims.egr = seal('grants', made.grants);
      claims.ead = Object.keys(made.appData).length === 0 ? null : seal('app-data', made.appData);
      key.close();
    }
    details.what = `${signerName}'s PL with a ${length}-byte content key`;
    const token = details.token = lib.signJws(claims, signers[signerName].key, PL_TYPE);
    const opened = openPl(token);
    const sealed = { claims, keyHex: bytes.toString('hex'), grants: made.grants, appData: made.appData };
    checkPl(opened, claims, { ck: sealed, egr: sealed, ead: sealed });
    return opened;
  }

  /** A UL for bob, changed and signed again by the service. */
  function mutateUl(rng, details) {
    const made = makePl(rng, rng.pick(['service', 'mallory']));
    const pl = lib.verifyPl(lib.signJws(made.claims, signers[made.signer].key, PL_TYPE), slc, { now });
    const contentKey = lib.SecretKey.import(Buffer.from(made.keyHex, 'hex'));
    const claims = payloadOf(lib.issueUl(service, {
      pl, user: BOB, racKey: bob, rights: made.grants[0]?.rights ?? ['VIEW'], contentKey, iat: now - 30, policy: policyOf(made.claims, made.grants),
    }));
    contentKey.close();
    const others = [payloadOf(vectors.tokens.ul)].map(({ ck, ...rest }) => rest);
    const { text, done } = mutate(rng, claims, others);
    details.what = `UL: ${done.join('; ')}`;
    const token = details.token = signRaw(text, service, UL_TYPE);
    const verified = attempt('verifyUl', () => lib.verifyUl(token, slc, BOB, { now, ignoreLicenseExpiry: rng.chance(0.5) }));
    if (verified.code !== undefined) return { code: verified.code };
    checkUlClaims(verified.value.claims);
    const key = attempt('openUlContentKey', () => lib.openUlContentKey(verified.value, bob));
    if (key.code !== undefined) return { code: key.code };
    const keyHex = key.value.export().toString('hex');
    key.value.close();
    if (keyHex !== made.keyHex) throw new FuzzViolation('the UL opened to another content key', {});
    return {};
  }

  function checkUlClaims(c) {
    const wrong = [];
    if (c.ver !== 1 || c.sub !== BOB) wrong.push('ver/sub');
    for (const name of ['iss', 'rac', 'cid', 'own', 'ck']) if (typeof c[name] !== 'string') wrong.push(name);
    if (!isEpochSeconds(c.iat) || !isEpochSeconds(c.exp) || c.exp < c.iat) wrong.push('iat/exp');
    if (c.cvu !== null && !isEpochSeconds(c.cvu)) wrong.push('cvu');
    if (!Array.isArray(c.rights) || !c.rights.every((r) => typeof r === 'string')) wrong.push('rights');
    if (c.pol !== null && !(isPlainObject(c.pol) && Array.isArray(c.pol.grants))) wrong.push('pol');
    if (wrong.length > 0) throw new FuzzViolation(`verifyUl accepted a UL whose ${wrong.join(', ')} are not what UlClaims declares`, { claims: c });
  }

  /** A certificate changed and signed again by the service; a changed CLC then signs mallory's PL. */
  function mutateCertificate(rng, details) {
    const which = rng.pick(['clc', 'clc', 'rac', 'slc']);
    const base = { clc: signers.mallory.clc, rac: vectors.tokens.racBob, slc: vectors.tokens.slc }[which];
    const claims = payloadOf(base);
    const others = [payloadOf(vectors.tokens.clc), payloadOf(vectors.tokens.racAlice), payloadOf(signers.eve.clc)];
    const { text, done } = mutate(rng, claims, others);
    details.what = `${which.toUpperCase()}: ${done.join('; ')}`;
    const typ = JSON.parse(Buffer.from(base.split('.')[0], 'base64url').toString('utf8')).typ;
    const token = details.token = signRaw(text, service, typ);
    if (which === 'slc') {
      const verified = attempt('verifySlc', () => lib.verifySlc(token, { pinned: [service.thumbprint()], now }));
      if (verified.code === undefined && verified.value.signingKey.thumbprint() !== service.thumbprint()) throw new FuzzViolation('an SLC with another signing key was accepted', {});
      return { code: verified.code };
    }
    if (which === 'rac') {
      const verified = attempt('verifyRac', () => lib.verifyRac(token, slc, { now }));
      if (verified.code === undefined) {
        const c = verified.value.claims;
        if (typeof c.sub !== 'string' || !['organization', 'individual'].includes(c.idk)) throw new FuzzViolation('verifyRac accepted a RAC without an identity', {});
      }
      return { code: verified.code };
    }
    const verified = attempt('verifyClc', () => lib.verifyClc(token, slc, { now }));
    if (verified.code !== undefined) return { code: verified.code };
    // Mallory publishes with the changed CLC: the PL must still open to exactly what she sealed, or be refused.
    const signer = signers.mallory;
    const contentKey = lib.SecretKey.generate(32);
    const grants = randomGrants(rng);
    const plClaims = lib.buildPlClaims({
      owner: MALLORY, policy: { ...randomClearPolicy(rng), grants }, contentKey, wrappingKey: wrapping, urls, iat: now - 60,
    }, signer.key, token);
    const made = { claims: plClaims, keyHex: contentKey.export().toString('hex'), grants, appData: {} };
    contentKey.close();
    const opened = openPl(lib.signJws(plClaims, signer.key, PL_TYPE));
    checkPl(opened, plClaims, { ck: made, egr: made, ead: made });
    return opened;
  }

  const CASES = { splice, 'mutate-pl': mutatePl, 'content-key': contentKeyLength, 'mutate-ul': mutateUl, 'mutate-certificate': mutateCertificate };

  /**
   * Runs case `index` of the seed (of `kind` when given, else of a kind the case draws) and
   * returns its kind; throws a FuzzViolation naming the case when the property fails.
   */
  function run(index, kind) {
    const rng = seededRandom((seed * 0x9e3779b1 + index) >>> 0);
    let roll = rng.below(TOTAL_WEIGHT);
    const name = kind ?? KINDS.find((k) => (roll -= WEIGHTS[k]) < 0);
    const details = { seed, index, kind: name };
    let opened;
    try {
      opened = CASES[name](rng, details);
    } catch (error) {
      if (error instanceof FuzzViolation) {
        error.message = `seed ${seed} case ${index} (${name}): ${error.message}\n  ${details.what ?? ''}\n  token: ${preview(details.token)}`;
        Object.assign(error.details, details);
      }
      throw error;
    }
    record(name, opened.verified !== undefined ? outcomeOf(opened) : (opened.code ?? 'accepted'), opened);
    return name;
  }

  return { run, stats };
}

module.exports = { createLicenseFuzzer, FuzzViolation, KINDS };
