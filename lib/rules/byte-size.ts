/**
 * Sizes in a rules file: a number of bytes, or a number and a unit. Decimal units (KB, MB, GB,
 * TB: powers of 1000, as disks and the SI count) and binary ones (KiB, MiB, GiB, TiB: powers of
 * 1024, IEC 80000-13) are both taken, since administrators write both; names are matched without
 * regard to case, so `1kb` is 1000 bytes, never kilobits.
 */
const UNITS: Readonly<Record<string, number>> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

const SIZE = /^(\d{1,15}(?:\.\d{1,6})?) ?([a-z]{1,3})?$/i;

/** `100`, `1KiB`, `1.5 MB` as bytes; undefined when `value` is not a size of a whole number of bytes. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const m = SIZE.exec(value.trim());
  if (m === null) return undefined;
  const unit = UNITS[(m[2] ?? 'b').toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** `65536` -> `64 KiB`, for messages and dry-run lines. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} B`;
}
