import { createServer } from 'node:net';

/** Ports handed out in this process: the OS may pick a just-closed port again for the next ask. */
const given = new Set<number>();

/**
 * A port free on loopback right now (the OS picks it), for servers a test starts; never one
 * this process was given before, so a server's HTTP and gRPC ports cannot be the same.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await pickedByOs();
    if (!given.has(port)) {
      given.add(port);
      return port;
    }
  }
}

function pickedByOs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
