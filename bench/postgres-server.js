'use strict';
/**
 * A throwaway PostgreSQL server for the benchmarks, as test/support/postgres.ts makes one for the
 * tests (Debian's postgresql package: initdb in a temporary folder, a free loopback port, run as
 * the postgres user when we are root). Unlike the tests', it keeps fsync on: the figures are for
 * a database that keeps what it commits. Resolves `{ createDatabase(), stop() }`, or null with a
 * reason when PostgreSQL is not installed (the scenario then reports the rows as not measured).
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

function binaries() {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  return versions.length === 0 ? null : path.join(root, versions[0], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

async function startPostgres() {
  const bin = binaries();
  if (bin === null) return { server: null, reason: 'PostgreSQL is not installed (Debian package postgresql)' };
  const { Client } = require('pg');
  const user = process.getuid?.() === 0
    ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) }
    : {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openrms-bench-pg-'));
  if ('uid' in user) fs.chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'openrms', '-A', 'trust', '-E', 'UTF8', '--locale=C'], { stdio: 'ignore', ...user });
  const port = await freePort();
  const url = `postgres://openrms@127.0.0.1:${port}`;
  const child = spawn(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'], { stdio: 'ignore', ...user });
  const query = async (target, sql) => {
    const client = new Client({ connectionString: target });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  for (let waited = 0; ; waited += 100) {
    try {
      await query(`${url}/postgres`, 'SELECT 1');
      break;
    } catch (error) {
      if (waited > 30000 || child.exitCode !== null) throw new Error(`PostgreSQL did not start: ${error.message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  let databases = 0;
  return {
    server: {
      createDatabase: async () => {
        const name = `openrms_bench_${++databases}`;
        await query(`${url}/postgres`, `CREATE DATABASE ${name}`);
        return `${url}/${name}`;
      },
      stop: async () => {
        if (child.exitCode === null) {
          child.kill('SIGINT'); // fast shutdown
          await new Promise((resolve) => child.once('exit', resolve));
        }
        fs.rmSync(dir, { recursive: true, force: true });
      },
    },
    reason: null,
  };
}

module.exports = { startPostgres };
