/**
 * The text content patterns look at: the first bytes of a file decoded as UTF-8, or as UTF-16
 * when the bytes start with its byte order mark (what Windows tools such as Notepad write for
 * "Unicode"). Bytes that are not valid UTF-8 become U+FFFD, so binary files decode too and
 * patterns still find the text between their binary parts. A character cut in two by the end
 * of the window decodes as U+FFFD and matches nothing.
 */
export function headText(head: Uint8Array): string {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2, evenEnd(bytes));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, evenEnd(bytes))).swap16().toString('utf16le');
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString('utf8', start);
}

/** Whether `bytes` start with a UTF-16 byte order mark (little- or big-endian). */
export function hasUtf16Bom(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/** The end of the last whole UTF-16 code unit after the 2-byte mark. */
function evenEnd(bytes: Buffer): number {
  return bytes.length - (bytes.length % 2);
}
