import { RmsError } from '../../lib';
import { errorJson, failureReport, jsonLine, printable, UsageError } from '../../lib/cli/command-line';
import { InvalidSettingError } from '../../lib/settings/settings-errors';

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

describe('what --json prints', () => {
  it('gives an error its code, message and every datum it carries, and nothing of its stack or cause', () => {
    const error = new RmsError('RIGHT_NOT_GRANTED', 'bob may not EXPORT', { right: 'EXPORT', rightsHeld: ['VIEW'], serviceUrl: 'https://rms.contoso.com/', cause: new Error('x') });
    expect(errorJson(error)).toEqual({
      code: 'RIGHT_NOT_GRANTED', message: 'bob may not EXPORT', hresult: 0x80040211, right: 'EXPORT', rightsHeld: ['VIEW'],
      serviceUrl: 'https://rms.contoso.com/', host: 'rms.contoso.com',
    });
    expect(errorJson(new UsageError('--to must be an email', { argument: '--to' }))).toEqual({
      code: 'INVALID_ARGUMENT', message: '--to must be an email', hresult: 0x80070057, argument: '--to',
    });
  });

  it('keeps the fields of an error subclass: a setting error names its file and line', () => {
    const setting = new InvalidSettingError('Trace', 'not a DWORD', { hive: 'HKLM', file: '/etc/openrms/openrms.reg', line: 7 });
    expect(errorJson(setting)).toMatchObject({ code: 'INVALID_SETTING', setting: 'Trace', reason: 'not a DWORD', hive: 'HKLM', file: '/etc/openrms/openrms.reg', line: 7 });
  });

  it('gives anything else code INTERNAL', () => {
    expect(errorJson(new TypeError('boom'))).toEqual({ code: 'INTERNAL', message: 'TypeError: boom' });
  });

  it('writes one line that a terminal shows as it is: C1 controls, line separators and bidi overrides escaped, the value unchanged', () => {
    const value = { owner: 'mallory\u202e\u2066txt.exe\u2028\u009b2J\u001b[2J\n' };
    const line = jsonLine(value);
    expect(line).toBe('{"owner":"mallory\\u202e\\u2066txt.exe\\u2028\\u009b2J\\u001b[2J\\n"}\n');
    expect(JSON.parse(line)).toEqual(value);
  });
});
