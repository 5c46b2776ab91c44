/**
 * A one-line progress display for a terminal: files and bytes done (of the totals, once
 * counted), the rate and the time left, redrawn in place at most every `intervalMs` (100 ms:
 * ten times a second) however often the run reports. The caller decides where it goes (stderr,
 * and only when that is a terminal). The line holds numbers only, never a file name, so
 * nothing from the files reaches the terminal through it.
 */
import type { BulkProgress } from './progress-meter';

export interface ProgressOutput {
  write(text: string): unknown;
  /** The terminal's width: the line is cut to fit. */
  columns?: number;
}

export interface ProgressRendererOptions {
  /** Least time between two drawings (default 100 ms). */
  intervalMs?: number;
  /** The clock, in milliseconds (tests). */
  now?: () => number;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Bytes in decimal units (what the rate uses, as benchmarks do): 512 B, 4.1 kB, 2.1 GB. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Seconds as 0:07, 12:34 or 1:02:03. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const count = new Intl.NumberFormat('en-US');

/** The progress line, e.g. `1,234/10,000 files  5.1 MB/41.0 MB  12.3 MB/s  0:28 left`. */
export function formatProgress(p: BulkProgress): string {
  const files = p.filesTotal === undefined ? `${count.format(p.filesDone)} files` : `${count.format(p.filesDone)}/${count.format(p.filesTotal)} files`;
  const bytes = p.bytesTotal === undefined ? formatBytes(p.bytesDone) : `${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}`;
  const parts = [files, bytes, `${formatBytes(p.rate)}/s`];
  if (p.etaSeconds !== undefined) parts.push(`${formatDuration(p.etaSeconds)} left`);
  return parts.join('  ');
}

/** CSI K, erase to the end of the line: a shorter line leaves nothing of a longer one drawn before it. */
const ERASE_TO_END = '\u001b[K';

export class ProgressRenderer {
  private last: number | null = null;
  private drawn = false;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly out: ProgressOutput, options: ProgressRendererOptions = {}) {
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? (() => performance.now());
  }

  /** Draws `p` unless the last drawing was less than the interval ago; true when it drew. */
  update(p: BulkProgress): boolean {
    const now = this.now();
    if (this.last !== null && now - this.last < this.intervalMs) return false;
    this.last = now;
    this.draw(p);
    return true;
  }

  /** Draws the final state (whatever the interval) and ends the line. */
  finish(p: BulkProgress): void {
    this.draw(p);
    this.out.write('\n');
    this.drawn = false;
  }

  /** Removes the line (before other output is printed, or when nothing is to stay). */
  clear(): void {
    if (this.drawn) this.out.write(`\r${ERASE_TO_END}`);
    this.drawn = false;
  }

  private draw(p: BulkProgress): void {
    const line = formatProgress(p);
    const width = this.out.columns;
    // One column short of the width: a line that fills it wraps on some terminals.
    const fitted = width !== undefined && width > 1 && line.length >= width ? line.slice(0, width - 1) : line;
    this.out.write(`\r${fitted}${ERASE_TO_END}`);
    this.drawn = true;
  }
}
