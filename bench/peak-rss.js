'use strict';
/**
 * The peak resident memory of this process: VmHWM from /proc/self/status where there is one
 * (ru_maxrss would carry over the parent's peak across fork and exec), else ru_maxrss.
 */
const fs = require('node:fs');

function peakRss() {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall back to ru_maxrss
  }
  return process.resourceUsage().maxRSS * 1024;
}

module.exports = { peakRss };
