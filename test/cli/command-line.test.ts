import { RmsError } from '../../lib';
import { failureReport, printable } from '../../lib/cli/command-line';

describe('what a failed command prints', () => {
  it('prints an RmsError as one line, error: CODE: message', () => {
    expect(failureReport(new RmsError('INVALID_FORMAT', 'not a valid PFILE'), {})).toBe('error: INVALID_FORMAT: not a valid PFILE\n');
  });

  it('prints any other error (a bug) as one INTERNAL line, without its stack', () => {
    const report = failureReport(new TypeError("Cannot read properties of undefined (reading 'x')"), {});
    expect(report).toBe("error: INTERNAL: TypeError: Cannot read properties of undefined (reading 'x') (a bug in openrms; set OPENRMS_DEBUG=1 to see where)\n");
  });

  it('adds the stack when OPENRMS_DEBUG is set, and only then', () => {
    const error = new RangeError('Invalid time value');
    expect(failureReport(error, { OPENRMS_DEBUG: '1' })).toBe(`error: INTERNAL: RangeError: Invalid time value (a bug in openrms; set OPENRMS_DEBUG=1 to see where)\n${error.stack}\n`);
    expect(failureReport(error, { OPENRMS_DEBUG: '0' }).split('\n')).toHaveLength(2);
    expect(failureReport(error, { OPENRMS_DEBUG: '' }).split('\n')).toHaveLength(2);
  });

  it('prints a thrown value that is not an Error, even one String() fails on', () => {
    expect(failureReport('boom', {})).toMatch(/^error: INTERNAL: boom \(/);
    expect(failureReport(Object.create(null), {})).toMatch(/^error: INTERNAL: a value that is not an Error \(/);
  });

  it('escapes the control characters of a message that quotes a file', () => {
    const report = failureReport(new RmsError('INVALID_FORMAT', 'the time "\u001b[2J\n\u009b\u202e" is not a date'), {});
    expect(report).toBe('error: INVALID_FORMAT: the time "\\u001b[2J\\n\\u009b\\u202e" is not a date\n');
  });
});

describe('printable', () => {
  it('keeps ordinary text, including non-ASCII letters, as it is', () => {
    expect(printable('Microsoft Corporation - Thông tin mật (機密資訊)')).toBe('Microsoft Corporation - Thông tin mật (機密資訊)');
  });
});
