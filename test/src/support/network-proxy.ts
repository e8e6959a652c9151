import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The network between an agent and the console, under the test's control: it forwards HTTP
 * requests to the console, can go offline (connections refused), and can hold the console's
 * answers to capture uploads, so a test can kill the agent after the console stored a capture
 * but before the agent heard so.
 */
export class NetworkProxy {
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private held: (() => void)[] = [];
  private heldWaiters: (() => void)[] = [];
  /** When true, answers to capture uploads are held until `release()`. */
  holdUploadAnswers = false;
  port = 0;

  constructor(private readonly target: URL) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async online(): Promise<void> {
    const server = http.createServer((req, res) => this.forward(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and cuts every open connection: the agent sees the console unreachable. */
  async offline(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves when an upload's answer is being held. */
  nextHeldAnswer(): Promise<void> {
    if (this.held.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.heldWaiters.push(resolve));
  }

  heldCount(): number {
    return this.held.length;
  }

  release(): void {
    this.holdUploadAnswers = false;
    const held = this.held;
    this.held = [];
    for (const go of held) go();
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const upstream = http.request(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        const send = () => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        if (this.holdUploadAnswers && req.url?.startsWith('/api/agent/v1/captures')) {
          this.held.push(send);
          for (const w of this.heldWaiters.splice(0)) w();
        } else {
          send();
        }
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
