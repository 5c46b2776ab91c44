/**
 * The progress display of bulk runs: what its line says, that it is redrawn in place at most
 * ten times a second however often the run reports, and the estimates behind it.
 */
import { BulkProgress, formatBytes, formatDuration, formatProgress, ProgressRenderer } from '../../lib/bulk';
import { ProgressMeter } from '../../lib/bulk/progress-meter';

const snapshot = (o: Partial<BulkProgress> = {}): BulkProgress => ({ filesDone: 0, bytesDone: 0, rate: 0, filesPerSecond: 0, elapsedMs: 0, ...o });

/** A terminal that records what is written to it. */
function terminal(columns?: number) {
  const writes: string[] = [];
  return { writes, out: { write: (text: string) => writes.push(text), columns } };
}

describe('the progress line', () => {
  it('says files and bytes done of the totals, the rate and the time left', () => {
    expect(formatProgress(snapshot({ filesDone: 1234, filesTotal: 10000, bytesDone: 5_100_000, bytesTotal: 41_000_000, rate: 12_300_000, etaSeconds: 28 })))
      .toBe('1,234/10,000 files  5.1 MB/41.0 MB  12.3 MB/s  0:28 left');
  });

  it('says what is done while the totals are still being counted, without a time left', () => {
    expect(formatProgress(snapshot({ filesDone: 7, bytesDone: 512, rate: 2048 }))).toBe('7 files  512 B  2.0 kB/s');
  });

  it('writes bytes in decimal units and durations as clocks', () => {
    expect([0, 999, 1000, 2_147_483_648, 3e12].map(formatBytes)).toEqual(['0 B', '999 B', '1.0 kB', '2.1 GB', '3.0 TB']);
    expect([0, 7.4, 65, 3723].map(formatDuration)).toEqual(['0:00', '0:07', '1:05', '1:02:03']);
  });
});

describe('ProgressRenderer', () => {
  it('draws at most once per 100 ms, however often the run reports', () => {
    let now = 0;
    const { writes, out } = terminal();
    const renderer = new ProgressRenderer(out, { now: () => now });
    // 1,000 reports over one second: drawn at 0, 100, ..., 900 ms.
    for (let k = 0; k < 1000; k++) {
      now = k;
      renderer.update(snapshot({ filesDone: k }));
    }
    expect(writes).toHaveLength(10);
    expect(writes[1]).toBe('\r100 files  0 B  0 B/s\u001b[K');
  });

  it('redraws its line in place, cut to the terminal width, and ends it when finished', () => {
    const { writes, out } = terminal(20);
    const renderer = new ProgressRenderer(out, { now: () => 0 });
    renderer.update(snapshot({ filesDone: 123456, filesTotal: 999999 }));
    renderer.finish(snapshot({ filesDone: 999999, filesTotal: 999999 }));
    expect(writes).toEqual(['\r123,456/999,999 fil\u001b[K', '\r999,999/999,999 fil\u001b[K', '\n']);
  });

  it('clears its line only when one is drawn', () => {
    const { writes, out } = terminal();
    const renderer = new ProgressRenderer(out, { now: () => 0 });
    renderer.clear();
    renderer.update(snapshot());
    renderer.clear();
    expect(writes).toEqual(['\r0 files  0 B  0 B/s\u001b[K', '\r\u001b[K']);
  });
});

describe('ProgressMeter', () => {
  it('counts the bytes read of files in flight, and estimates the time left from the slower of bytes and files', () => {
    let now = 0;
    const meter = new ProgressMeter(() => now);
    const [a, b] = [{}, {}];
    meter.setTotals(4, 4000);
    now = 1000;
    meter.settled(a, 1000);
    meter.reading(b, 500);
    // 1,500 bytes/s leaves 2,500 bytes for 1.7 s; 1 file/s leaves 3 files for 3 s: 3 s.
    expect(meter.snapshot()).toEqual({ filesDone: 1, filesTotal: 4, bytesDone: 1500, bytesTotal: 4000, rate: 1500, filesPerSecond: 1, etaSeconds: 3, elapsedMs: 1000 });
    meter.settled(b, 1000);
    expect(meter.snapshot().bytesDone).toBe(2000);
  });

  it('never shows totals below what is done (files added after the count)', () => {
    const meter = new ProgressMeter(() => 1000);
    meter.setTotals(1, 10);
    meter.settled({}, 30);
    meter.settled({}, 30);
    expect(meter.snapshot()).toMatchObject({ filesDone: 2, filesTotal: 2, bytesDone: 60, bytesTotal: 60, etaSeconds: 0 });
  });
});
