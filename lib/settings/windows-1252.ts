/**
 * Windows-1252, the "ANSI" code page REGEDIT4 files are written in on western Windows. Node's
 * TextDecoder('windows-1252') decodes it as ISO-8859-1 (its Latin-1 fast path; 0x80 becomes
 * U+0080, not the euro sign), so the 32 bytes where the two differ are mapped here. The five
 * bytes the code page leaves undefined map to the C1 controls, as Windows' MultiByteToWideChar does.
 */
const HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

export function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(HIGH[c.charCodeAt(0) - 0x80]!));
}
