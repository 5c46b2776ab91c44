'use strict';
/**
 * Free page reporting (virtio-balloon's VIRTIO_BALLOON_F_REPORTING) hands every free block of
 * 2^page_reporting_order pages back to the hypervisor, which unbacks it; the next allocation
 * from such a block faults in fresh host memory, slowly. On the 2-core VM these figures come
 * from (order 9: 2 MiB blocks), a file written with 1 MiB-aligned writes gets large page-cache
 * folios carved from those blocks and runs at a third of its speed every other run, while a
 * file written at unaligned offsets gets small folios and does not: the same bytes, timed two
 * to three times apart depending on alignment (perf: the time is in copy_folio_from_iter_atomic,
 * the kernel's copy into the page cache, not in openrms). So the run pauses the reporting, as root
 * and where the kernel has it, by raising the order past the largest block, and puts it back
 * after (also on Ctrl-C). Elsewhere nothing changes and the report says so.
 */
const fs = require('node:fs');

const PARAMETER = '/sys/module/page_reporting/parameters/page_reporting_order';
/** Beyond MAX_PAGE_ORDER (10): no free block is ever that large, so none is reported. */
const NEVER = '11';

function pauseFreePageReporting() {
  let before;
  try {
    before = fs.readFileSync(PARAMETER, 'utf8').trim();
  } catch {
    return { description: 'no free page reporting on this machine (nothing changed)', restore: () => {} };
  }
  if (before === NEVER) return { description: `free page reporting already paused (page_reporting_order ${before})`, restore: () => {} };
  try {
    fs.writeFileSync(PARAMETER, NEVER);
  } catch (error) {
    return { description: `free page reporting left on (page_reporting_order ${before}; cannot pause it: ${error.code})`, restore: () => {} };
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    fs.writeFileSync(PARAMETER, before);
  };
  const onSignal = (signal) => {
    restore();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', restore);
  return {
    description: `hypervisor free page reporting paused for the run (page_reporting_order ${before} -> ${NEVER}, restored after: bench/page-reporting.js says why)`,
    restore,
  };
}

module.exports = { pauseFreePageReporting };
