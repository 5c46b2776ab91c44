/**
 * A reader that stops reading (`openrms protect share/ -r --json | head -1`) closes the pipe
 * under the command's output, and the next write fails with EPIPE: Node raises it as an
 * 'error' event on the stream and, with nobody listening, as an uncaught exception whose stack
 * lands on the terminal. A command whose output nobody reads any more stops there, quietly, as
 * a Unix command ended by SIGPIPE does, with exit 1 since it did not finish. A bulk run stopped
 * this way is one killed at any moment (docs/bulk.md): every input intact, no partial output,
 * and the same command again finishes the job.
 */
import type { Writable } from 'node:stream';

const EXIT_FAILURE = 1;
const watched = new WeakSet<Writable>();

/** Ends the process when a reader closes `stream` (only process.stdout and process.stderr: a caller's own stream is the caller's). */
export function stopWhenReaderCloses(stream: Writable): void {
  if ((stream !== process.stdout && stream !== process.stderr) || watched.has(stream)) return;
  watched.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_FAILURE);
    throw error;
  });
}
