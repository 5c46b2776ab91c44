/**
 * A TCP listener that records every connection it receives and closes it at once: aimed at by a
 * client that must not contact it, it proves that no socket was opened (not even one refused
 * later by TLS or HTTP), since the connection is counted before a byte is read.
 */
import { once } from 'node:events';
import net from 'node:net';

export interface RecordingListener {
  /** `http://<host>:<port>`: where it listens (an https:// URL to the same place reaches it too). */
  url: string;
  host: string;
  port: number;
  /** Every connection received so far, by the remote port it came from. */
  connections: number[];
  close(): Promise<void>;
}

/** Starts a recording listener on `host` (a loopback address), at a free port. */
export async function startRecordingListener(host = '127.0.0.2'): Promise<RecordingListener> {
  const connections: number[] = [];
  const server = net.createServer((socket) => {
    connections.push(socket.remotePort ?? 0);
    socket.on('error', () => {});
    socket.destroy();
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${host}:${port}`, host, port, connections,
    close: async () => {
      server.close();
      await once(server, 'close');
    },
  };
}
