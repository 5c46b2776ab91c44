'use strict';
/**
 * What the figures were measured on: without the CPU, the core count, the load and the
 * OpenSSL builds involved, a throughput figure cannot be compared with another run's.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { nativeInfo, VERSION } = require('..');
const { opensslCliVersion } = require('./openssl-speed');

function cpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1].trim();
  } catch {
    // Not Linux: os.cpus() below.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function gitCommit() {
  try {
    const root = path.join(__dirname, '..');
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return commit || null;
  } catch {
    return null;
  }
}

function describeMachine() {
  return {
    date: new Date().toISOString(),
    cpu: cpuModel(),
    cores: os.cpus().length,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(', '),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    nodeOpenssl: process.versions.openssl,
    addonOpenssl: nativeInfo.openssl,
    napiVersion: nativeInfo.napiVersion,
    opensslCli: opensslCliVersion() ?? 'not available (openssl CLI not found on PATH)',
    threadPoolSize: process.env.UV_THREADPOOL_SIZE ? `${process.env.UV_THREADPOOL_SIZE} (UV_THREADPOOL_SIZE)` : '4 (libuv default)',
    openrms: VERSION,
    commit: gitCommit(),
  };
}

module.exports = { describeMachine };
