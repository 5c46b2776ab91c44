'use strict';
/**
 * Timing on a small, noisy machine. The candidates of one comparison run in interleaved
 * rounds (openrms, baseline, openrms, baseline, ..., with the order rotated every round) so
 * that a burst of load from another process hits them alike, and each figure is the median
 * of its rounds, so that one slow round (a GC pause, a neighbour's build) does not move it.
 */

const v8 = require('node:v8');
const vm = require('node:vm');

// With `collectGarbage`, a full collection before every timed call, so that the garbage one
// candidate leaves (the node:crypto loops make a cipher object and Buffers per record) is
// not collected on the next candidate's time; garbage a candidate makes during its own call
// still costs it. Scenarios on large buffers leave it off: a forced collection frees every
// output at once, the allocator hands the pages back to the kernel, and each round would
// then measure first-touch page faults more than the work (see docs/benchmarks.md).
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

/**
 * Seconds taken by one call of `fn`, awaiting it when it returns a promise. With `rewarm`,
 * one untimed call comes first: this VM runs markedly slower for tens of milliseconds after
 * its vCPU has been idle (as it is while an `openssl speed` child runs), which would
 * otherwise land on whichever candidate follows.
 */
async function timeOnce(fn, { collect = false, rewarm = false } = {}) {
  if (rewarm) await settle(fn());
  if (collect) collectGarbage();
  const start = process.hrtime.bigint();
  await settle(fn());
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function settle(result) {
  if (result !== null && typeof result === 'object' && typeof result.then === 'function') await result;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measures candidates over `rounds` interleaved rounds after `warmup` untimed ones. A timed
 * candidate is `{ units, fn }`: one `fn()` call does `units` units of work (bytes, records,
 * verifications); each timed call follows one untimed call of the same candidate, and
 * garbage is collected before it unless `collectGarbage` is false.
 * A sampled candidate is `{ sample }`: `sample()` measures itself and returns a rate in
 * units per second, or null when it cannot (an external ceiling such as `openssl speed`,
 * taken in the same rounds so that it sees the machine as the others do; not warmed up).
 * Returns, per label, the median rate (null if any sample was null), the rate of every
 * round in order (for `pairedRatio`), the median seconds per call (timed candidates), the
 * number of rounds and their spread ((slowest - fastest) / median), which says how noisy
 * they were.
 */
async function measureInterleaved(candidates, { rounds, warmup = 1, collectGarbage: collect = true }) {
  const labels = Object.keys(candidates);
  const timed = labels.filter((label) => typeof candidates[label].fn === 'function');
  for (let w = 0; w < warmup; w++) {
    for (const label of timed) await timeOnce(candidates[label].fn, { collect });
  }
  const samples = Object.fromEntries(labels.map((label) => [label, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < labels.length; k++) {
      const label = labels[(round + k) % labels.length];
      const c = candidates[label];
      samples[label].push(typeof c.fn === 'function' ? await timeOnce(c.fn, { collect, rewarm: true }) : await c.sample());
    }
  }
  const results = {};
  for (const label of labels) {
    const values = samples[label];
    if (values.some((v) => v === null || v === undefined)) {
      results[label] = { rate: null, rates: null, seconds: null, rounds: values.length, spread: null };
      continue;
    }
    const middle = median(values);
    const spread = (Math.max(...values) - Math.min(...values)) / middle;
    results[label] = typeof candidates[label].fn === 'function'
      ? { rate: candidates[label].units / middle, rates: values.map((t) => candidates[label].units / t), seconds: middle, rounds: values.length, spread }
      : { rate: middle, rates: values, seconds: null, rounds: values.length, spread };
  }
  return results;
}

/**
 * The ratio of two candidates of one `measureInterleaved` call, as the median over rounds of
 * a's rate / (b's rate x `scale`) in the same round. The machine's speed drifts over seconds;
 * within a round the two ran close together, so the per-round ratio cancels most of the
 * drift that the quotient of the two medians would keep. Null when either has no rates.
 */
function pairedRatio(a, b, scale = 1) {
  if (!a.rates || !b.rates) return null;
  return median(a.rates.map((rate, i) => rate / (b.rates[i] * scale)));
}

module.exports = { measureInterleaved, median, pairedRatio, timeOnce };
