/**
 * How a command over several paths reports: each file as it is done, then a summary; a failed
 * file does not stop the others. Text: one line per file done on stdout, `error: CODE: FILE:
 * message` per failed file and `skipped: FILE: reason` (`skipped: CODE: FILE: reason` when a code
 * says why) per file passed over on stderr, the summary on stderr when there was more than one
 * path. --json: one JSON object per file on stdout (`{"source", "status", ...}`: a failure's
 * `error` as errorJson gives it, a skip's `reason` and `code` when it has one), then
 * `{"summary": {...}}`. Any failure makes the command exit 1.
 */
import { formatBytes, formatDuration } from '../bulk/progress-renderer';
import { errorJson, errorStream, CommandIo, jsonLine, printable, ReportedFailure } from './command-line';

export interface FileOutcomesOptions {
  /** What a file done is called: `protected`, `unprotected`. */
  done: string;
  json: boolean;
  /** How many paths the command was given: the text summary is printed for more than one. */
  paths: number;
}

export class FileOutcomes {
  private readonly counts: Record<string, number>;

  constructor(private readonly io: CommandIo, private readonly o: FileOutcomesOptions) {
    this.counts = { [o.done]: 0, failed: 0, skipped: 0 };
  }

  /** A file done: `fields` for --json (`path`, `contentId`, ...), `text` the line after "<done> ". */
  done(source: string, fields: Record<string, unknown>, text: string): void {
    this.counts[this.o.done]! += 1;
    this.io.out.write(this.o.json ? jsonLine({ source, status: this.o.done, ...fields }) : `${this.o.done} ${text}\n`);
  }

  /** A file that failed. */
  failed(source: string, error: unknown): void {
    this.counts.failed! += 1;
    if (this.o.json) {
      this.io.out.write(jsonLine({ source, status: 'failed', error: errorJson(error) }));
      return;
    }
    const { code, message } = errorJson(error) as { code: string; message: string };
    errorStream(this.io).write(`error: ${code}: ${printable(source)}: ${printable(message)}\n`);
  }

  /**
   * A file passed over, for `reason`: not a failure, and no error code unless one says why
   * (FILE_ENCRYPT_BLOCKED); a file already protected is not an I/O error.
   */
  skipped(source: string, reason: string, code?: string): void {
    this.counts.skipped! += 1;
    if (this.o.json) {
      this.io.out.write(jsonLine({ source, status: 'skipped', reason, ...(code === undefined ? {} : { code }) }));
      return;
    }
    errorStream(this.io).write(`skipped: ${code === undefined ? '' : `${code}: `}${printable(source)}: ${printable(reason)}\n`);
  }

  /** Prints the summary (the counts, and `extra` such as bytes and time); throws ReportedFailure when a file failed (the command then exits 1). */
  finish(extra: { bytes?: number; ms?: number } = {}): void {
    if (this.o.json) {
      this.io.out.write(jsonLine({ summary: { ...this.counts, ...extra } }));
    } else if (this.o.paths > 1) {
      const sizes = extra.bytes === undefined ? '' : `; ${formatBytes(extra.bytes)}`;
      const time = extra.ms === undefined ? '' : ` in ${formatDuration(extra.ms / 1000)}`;
      errorStream(this.io).write(`${Object.entries(this.counts).map(([status, n]) => `${n} ${status}`).join(', ')}${sizes}${time}\n`);
    }
    if (this.counts.failed! > 0) throw new ReportedFailure(this.counts.failed!);
  }
}
