import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { waitFor } from "./daemon";
import { listenOnLoopback } from "./listen";

export interface SlackAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface SlackPost {
  at: number;
  status: number;
  headers: IncomingHttpHeaders;
  payload: any;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/**
 * A real HTTP server on 127.0.0.1 standing in for a Slack incoming webhook (or any JSON
 * webhook): it records every POST and answers from a script (then 200 "ok", or the standing answer).
 */
export class SlackReceiver {
  readonly posts: SlackPost[] = [];
  private readonly script: SlackAnswer[] = [];
  private standing: SlackAnswer = { status: 200, body: "ok" };

  private constructor(private readonly server: Server) {}

  static async start(): Promise<SlackReceiver> {
    const receiver: { current?: SlackReceiver } = {};
    const server = createServer((request, response) => {
      void readJson(request).then((payload) => {
        const self = receiver.current!;
        const answer = self.script.shift() ?? self.standing;
        self.posts.push({ at: Date.now(), status: answer.status, headers: request.headers, payload });
        response.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
        response.end(answer.body ?? (answer.status === 200 ? "ok" : "error"));
      });
    });
    receiver.current = new SlackReceiver(server);
    await listenOnLoopback(server);
    return receiver.current;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/T000/B000/test`;
  }

  /** The next POSTs get these answers, in order. */
  answerNext(...answers: SlackAnswer[]): void {
    this.script.push(...answers);
  }

  /** Every POST after the scripted ones gets this answer. */
  answerAlways(answer: SlackAnswer): void {
    this.standing = answer;
  }

  /** The messages Slack would show: the POSTs answered 200. */
  get delivered(): any[] {
    return this.posts.filter((p) => p.status === 200).map((p) => p.payload);
  }

  waitForPosts(count: number, timeoutMs?: number): Promise<SlackPost[]> {
    return waitFor(
      () => (this.posts.length >= count ? [...this.posts] : undefined),
      `${count} Slack POST(s)`,
      timeoutMs,
    );
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
