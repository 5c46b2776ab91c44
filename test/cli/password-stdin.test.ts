/** `--password-stdin` reads the first line and stops: endless or huge input is neither held nor waited for. */
import { Readable } from 'node:stream';

import { readPasswordFromStdin } from '../../lib/cli/command-line';

describe('--password-stdin', () => {
  it('takes the first line of an endless stream (as `yes |` gives) and stops reading', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled += 1;
        this.push('secret\nmore\n');
      },
    });
    await expect(readPasswordFromStdin(endless)).resolves.toBe('secret');
    expect(pulled).toBeLessThan(10);
  });

  it('refuses a line longer than 64 KiB with INVALID_ARGUMENT, without reading the rest', async () => {
    let pulled = 0;
    const noNewline = new Readable({
      read() {
        pulled += 1;
        this.push(Buffer.alloc(16 * 1024, 0x61));
      },
    });
    await expect(readPasswordFromStdin(noNewline)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: '--password-stdin' });
    expect(pulled).toBeLessThan(10);
  });
});
