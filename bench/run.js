'use strict';
/**
 * `npm run bench`: runs every scenario in bench/scenarios/ (each times openrms against a
 * named baseline measured in the same run), prints a table, and writes docs/benchmarks.md.
 *
 *   node bench/run.js [name-filter...]
 *
 * A scenario module exports `{ name, run(options) -> Promise<row[]>, howMeasured(options) }`,
 * with `options = { quick }` and rows made by bench/comparison.js; adding a file to
 * bench/scenarios/ adds it to the run.
 *
 * OPENRMS_BENCH_VERBOSE=1 makes scenarios that run one process per sample (protected-files)
 * print each sample.
 *
 * OPENRMS_BENCH_QUICK=1 makes a smoke run (few iterations, no 64 MiB case) for CI. The report
 * is written to docs/benchmarks.md only by a full run of every scenario, so that a smoke or
 * filtered run never replaces the published figures; OPENRMS_BENCH_REPORT=<path> writes it
 * (to that path) in any case. Missed targets are reported, never fatal; the exit code is 1
 * only when a scenario fails to run.
 */
const fs = require('node:fs');
const path = require('node:path');
const { describeMachine } = require('./machine');
const { pauseFreePageReporting } = require('./page-reporting');
const { consoleTable, markdownReport } = require('./report');

const SCENARIO_DIR = path.join(__dirname, 'scenarios');
const DEFAULT_REPORT = path.join(__dirname, '..', 'docs', 'benchmarks.md');

function loadScenarios(filters) {
  return fs.readdirSync(SCENARIO_DIR)
    .filter((file) => file.endsWith('.js'))
    .sort()
    .map((file) => require(path.join(SCENARIO_DIR, file)))
    .filter((scenario) => filters.length === 0 || filters.some((f) => scenario.name.includes(f)));
}

function commandLine(quick, filters) {
  const base = process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node bench/run.js';
  return `${quick ? 'OPENRMS_BENCH_QUICK=1 ' : ''}${base}${filters.length ? ` ${filters.join(' ')}` : ''}`;
}

async function main() {
  const filters = process.argv.slice(2);
  const quick = process.env.OPENRMS_BENCH_QUICK === '1' || process.env.OPENRMS_BENCH_QUICK === 'true';
  const scenarios = loadScenarios(filters);
  if (scenarios.length === 0) throw new Error(`no scenario matches ${filters.join(', ')}`);
  const pageReporting = pauseFreePageReporting();
  const machine = { ...describeMachine(), pageReporting: pageReporting.description };
  const command = commandLine(quick, filters);
  console.log(`openrms benchmarks${quick ? ' (quick smoke run)' : ''}: ${machine.cpu}, ${machine.cores} cores, ` +
    `Node ${machine.node}, addon OpenSSL ${machine.addonOpenssl}, load ${machine.loadAverage}; ${machine.pageReporting}`);

  const options = { quick };
  const started = process.hrtime.bigint();
  const results = [];
  let numbered = 0;
  for (const scenario of scenarios) {
    const scenarioStarted = process.hrtime.bigint();
    console.log(`\n== ${scenario.name}`);
    const result = { name: scenario.name, howMeasured: scenario.howMeasured(options), rows: [], error: null };
    try {
      result.rows = await scenario.run(options);
      console.log(consoleTable(result.rows, numbered));
      numbered += result.rows.length;
    } catch (error) {
      result.error = error && error.stack ? error.stack.split('\n').slice(0, 3).join(' ') : String(error);
      console.log(`FAILED: ${result.error}`);
      process.exitCode = 1;
    }
    console.log(`(${(Number(process.hrtime.bigint() - scenarioStarted) / 1e9).toFixed(1)} s)`);
    results.push(result);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  pageReporting.restore();

  const rows = results.flatMap((r) => r.rows);
  const withTargets = rows.filter((r) => r.target !== null);
  const unmeasured = withTargets.filter((r) => r.met === null).length;
  console.log(`\n${withTargets.filter((r) => r.met === true).length} of ${withTargets.length} targets met` +
    `${unmeasured ? ` (${unmeasured} not measurable)` : ''}; ${rows.length} rows in ${seconds.toFixed(0)} s`);

  const reportPath = process.env.OPENRMS_BENCH_REPORT || (!quick && filters.length === 0 ? DEFAULT_REPORT : null);
  if (reportPath === null) {
    console.log('docs/benchmarks.md left as it is (quick or filtered run; set OPENRMS_BENCH_REPORT=<path> to write a report)');
    return;
  }
  fs.mkdirSync(path.dirname(reportPath), { recursive: true });
  fs.writeFileSync(reportPath, markdownReport({ machine, command, quick, seconds, results }));
  console.log(`wrote ${path.relative(process.cwd(), reportPath) || reportPath}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
