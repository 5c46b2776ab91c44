'use strict';
/**
 * One row of the report: an openrms figure against a named baseline figure measured in the
 * same run, their ratio (openrms / baseline, so above 1 means openrms is faster) and, where
 * the issue sets one, the target ratio and whether it was met. Targets are reported, never
 * asserted: a missed target does not fail the run.
 */

/**
 * `openrms` and `baseline` are `{ value, unit }` (the baseline also has a `name`); a missing
 * baseline value (null: e.g. the openssl CLI is not installed) gives a null ratio. `ratio`,
 * when given, is used instead of openrms.value / baseline.value (the scenarios pass the
 * per-round paired ratio of bench/measure.js). `minRatio`, when given, is the target:
 * ratio >= minRatio.
 */
function comparison({ scenario, openrms, baseline, ratio: measuredRatio = null, minRatio = null, notes = '' }) {
  let ratio = null;
  if (baseline.value !== null && baseline.value > 0) ratio = measuredRatio ?? openrms.value / baseline.value;
  const target = minRatio === null ? null : `>= ${formatRatio(minRatio)}`;
  const met = minRatio === null || ratio === null ? null : ratio >= minRatio;
  return { scenario, openrms, baseline, ratio, target, met, notes };
}

function formatRatio(ratio) {
  if (ratio === null || ratio === undefined) return 'n/a';
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}x`;
}

/** The rounds' spread as "12%", for notes. */
function formatSpread(measurement) {
  return measurement.spread === null ? 'n/a' : `${(measurement.spread * 100).toFixed(0)}%`;
}

module.exports = { comparison, formatRatio, formatSpread };
