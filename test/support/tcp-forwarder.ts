import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP forwarder on a fixed 127.0.0.1 port in front of a local server (the SMTP sink), so a test can
 * take "the relay" down and bring it back on the same address, as an outage does: while down, nothing
 * listens on the port and connecting is refused (ECONNREFUSED), exactly as for a relay that is off.
 *
 * It also shields the server behind it from clients that die mid-conversation (a Firebreak process
 * killed with SIGKILL): a reset on the client side is passed on as a clean close, so the sink sees a
 * dropped session rather than an unhandled socket error in the test process.
 */
export interface TcpForwarder {
  port: number;
  /** Connections forwarded so far (including ones that ended badly). */
  connections: number;
  /** Stops listening and cuts every open connection; connecting is refused until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  isUp(): boolean;
  close(): Promise<void>;
}

export async function startTcpForwarder(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpForwarder> {
  /** Client-side sockets, each with its upstream one. */
  const open = new Map<Socket, Socket>();
  let server: Server | null = null;
  let port = 0;
  const forwarder: TcpForwarder = {
    port: 0,
    connections: 0,
    async down() {
      const closing = server;
      server = null;
      if (!closing) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      // The client side is cut as a dead relay would; the sink behind only sees its session end.
      for (const [client, upstream] of open) {
        client.destroy();
        upstream.end();
      }
      open.clear();
      await closed;
    },
    async up() {
      if (server) return;
      server = listen();
      await new Promise<void>((resolve, reject) => {
        server!.once('listening', resolve);
        server!.once('error', reject);
      });
      port = (server.address() as AddressInfo).port;
      forwarder.port = port;
    },
    isUp: () => server !== null,
    async close() {
      await forwarder.down();
    },
  };

  function listen(): Server {
    const s = createServer((client) => {
      forwarder.connections++;
      const upstream = connect(targetPort, targetHost);
      open.set(client, upstream);
      const finish = () => {
        // A clean close towards both sides, whatever happened to the other one.
        client.end();
        upstream.end();
        open.delete(client);
      };
      client.on('error', finish);
      upstream.on('error', finish);
      client.on('close', finish);
      upstream.on('close', finish);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    s.listen(port, '127.0.0.1');
    return s;
  }

  await forwarder.up();
  return forwarder;
}
