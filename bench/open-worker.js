'use strict';
/**
 * Opening protected items in a fresh process, as a command-line tool or a newly started
 * application does, with nothing remembered from earlier opens:
 *
 *   node bench/open-worker.js <store> <file of publishing licenses, one per line>
 *
 * opens a client on the store and calls `getContentKey(pl)` for every license, one at a time;
 * prints `{"seconds": s, "fromCache": n}` (the time of the opens alone, not of the start-up).
 */
const fs = require('node:fs');
const { RmsClient } = require('..');

async function main() {
  const [store, plFile] = process.argv.slice(2);
  const pls = fs.readFileSync(plFile, 'utf8').split('\n').filter((line) => line !== '');
  const client = RmsClient.open({ store });
  try {
    let fromCache = 0;
    const started = process.hrtime.bigint();
    for (const pl of pls) {
      const license = await client.getContentKey(pl);
      fromCache += license.fromCache ? 1 : 0;
      license.close();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`${JSON.stringify({ seconds, fromCache })}\n`);
  } finally {
    client.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
