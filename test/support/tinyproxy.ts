/**
 * A real HTTP proxy for tests: tinyproxy (Debian package `tinyproxy`), started on a free
 * loopback port with a temporary configuration, optionally asking for Basic credentials, and
 * stopped by the test. Its log (LogLevel Info) names every request it was asked to carry:
 * `Request (file descriptor 5): CONNECT 127.0.0.1:41235 HTTP/1.1`. It connects to servers from
 * PROXY_SOURCE_ADDRESS (tinyproxy's Bind), so a server on loopback tells the proxy's connections
 * from a client's own (127.0.0.1).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort, requireBinary, startChildServer } from './real-binary';

/** Where the proxy's connections to servers come from. */
export const PROXY_SOURCE_ADDRESS = '127.0.0.2';

export interface TinyproxyOptions {
  /** Credentials the proxy asks for (407 without them); tinyproxy takes letters, digits and `-._` only. */
  basicAuth?: { user: string; password: string };
  /** The only ports CONNECT may reach (tinyproxy's ConnectPort); default any. */
  connectPorts?: readonly number[];
}

export interface RunningProxy {
  /** `http://127.0.0.1:<port>`, without credentials. */
  url: string;
  /** The request lines the proxy received, e.g. `CONNECT 127.0.0.1:41235 HTTP/1.1`, `GET http://127.0.0.1:8080/x HTTP/1.1`. */
  requests(): string[];
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<RunningProxy> {
  const tinyproxy = requireBinary('tinyproxy', 'tinyproxy');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openrms-tinyproxy-'));
  const logFile = path.join(dir, 'tinyproxy.log');
  const port = await freePort();
  writeFileSync(path.join(dir, 'tinyproxy.conf'), [
    `Port ${port}`, 'Listen 127.0.0.1', `Bind ${PROXY_SOURCE_ADDRESS}`, 'Timeout 60', `LogFile "${logFile}"`, 'LogLevel Info',
    `PidFile "${path.join(dir, 'tinyproxy.pid')}"`, 'MaxClients 100', 'Allow 127.0.0.1',
    ...(options.basicAuth === undefined ? [] : [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`]),
    ...(options.connectPorts ?? []).map((allowed) => `ConnectPort ${allowed}`),
    '',
  ].join('\n'));
  // -d: in the foreground, so the test owns the process and stops it.
  const child = await startChildServer(tinyproxy, ['-d', '-c', path.join(dir, 'tinyproxy.conf')], dir, () => accepts(port));
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...readFileSync(logFile, 'utf8').matchAll(/Request \(file descriptor \d+\): (.*)$/gm)].map((match) => match[1]!.trim()),
    stop: () => child.stop(),
  };
}
