'use strict';
/**
 * One bulk run in a fresh process, as `openrms protect|unprotect PATH --recursive` runs it:
 *
 *   node bench/bulk-worker.js <store> <protect|unprotect> <path>
 *
 * opens the store's identity, runs `runBulk` with the default jobs (protect: one license, from
 * scratch, granting bob VIEW and EXPORT, for every file), and prints
 * `{"files": n, "failed": n, "bytes": n, "maxRssBytes": n}`. The caller times the whole process,
 * start-up included, as it times each openssl process of its baseline.
 */
const { RmsClient, runBulk } = require('..');
const { peakRss } = require('./peak-rss');

async function main() {
  const [store, operation, target] = process.argv.slice(2);
  const client = RmsClient.open({ store });
  try {
    const license = operation === 'protect'
      ? client.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW', 'EXPORT'] }], autoGrantOwner: true })
      : undefined;
    const summary = await runBulk(client, { operation, paths: [target], recursive: true, license: () => license });
    const files = summary.protected + summary.unprotected;
    process.stdout.write(`${JSON.stringify({ files, failed: summary.failed, bytes: summary.bytes, maxRssBytes: peakRss() })}\n`);
  } finally {
    client.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
