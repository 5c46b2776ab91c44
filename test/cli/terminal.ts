/**
 * Runs a command on a real pseudo-terminal (python3's pty module), typing into it as a person
 * does: each answer is sent once its prompt has appeared. The transcript is everything the
 * terminal showed, stdout and stderr together, echo included: a password the program let the
 * terminal echo is in it.
 */
import { spawnSync } from 'node:child_process';

const DRIVER = String.raw`
import json, os, pty, select, sys
argv, answers = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
shown = b''
def read():
    global shown
    if not select.select([fd], [], [], 60)[0]:
        sys.exit('timed out waiting; the terminal showed: ' + shown.decode('utf8', 'replace'))
    try:
        data = os.read(fd, 4096)
    except OSError:
        data = b''
    shown += data
    return data
seen = 0
for answer in answers:
    prompt = answer['after'].encode()
    while prompt not in shown[seen:]:
        if read() == b'':
            sys.exit('the command ended before asking ' + answer['after'] + '; the terminal showed: ' + shown.decode('utf8', 'replace'))
    seen = shown.index(prompt, seen) + len(prompt)
    os.write(fd, answer['type'].encode())
while read() != b'':
    pass
_, status = os.waitpid(pid, 0)
print(json.dumps({'shown': shown.decode('utf8', 'replace'), 'status': os.waitstatus_to_exitcode(status)}))
`;

export interface Answer {
  /** What the terminal shows before this is typed. */
  after: string;
  /** What is typed (`\r` is Enter). */
  type: string;
}

export function runInTerminal(argv: readonly string[], answers: readonly Answer[], o: { cwd: string; env: NodeJS.ProcessEnv }): { shown: string; status: number } {
  const r = spawnSync('python3', ['-c', DRIVER, JSON.stringify(argv), JSON.stringify(answers)], { cwd: o.cwd, env: o.env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`the terminal driver failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { shown: string; status: number };
}
