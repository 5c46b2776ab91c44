/**
 * A load balancer in front of several service instances, as an organisation runs them: one
 * public URL, and each HTTP request forwarded to the instance the test chose (`use`). It routes
 * requests, not connections, so a client's kept-alive connection reaches whichever instance is
 * chosen now, and it records which instance answered each path.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

export interface RequestRouter {
  url: string;
  /** Sends the next requests to the instance listening on `port`. */
  use(port: number): void;
  /** Each request forwarded: its path and the port of the instance that answered it. */
  served: { path: string; port: number }[];
  close(): Promise<void>;
}

export async function startRequestRouter(): Promise<RequestRouter> {
  let target = 0;
  const served: { path: string; port: number }[] = [];
  // No kept-alive connections upstream: each request reaches the instance chosen when it came.
  const upstreamAgent = new http.Agent({ keepAlive: false });
  const server = http.createServer((req, res) => {
    const port = target;
    served.push({ path: req.url ?? '/', port });
    const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent: upstreamAgent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    use: (port) => { target = port; },
    served,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
