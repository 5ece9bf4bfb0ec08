import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { listenOnLoopback } from "./listen";
import { MB } from "./samples";

export const FIXTURES = path.join(__dirname, "../fixtures");

/** What the server did with one request, for tests to assert what the adapter asked. */
export interface SeenRequest {
  url: string;
  headers: http.IncomingHttpHeaders;
}

export type Responder = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export interface FixtureServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

function sendJson(response: http.ServerResponse, status: number, text: string): void {
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

/**
 * Recorded bodies, looked up as `<layer>/<path>.json` (or `.txt`, served as a Prometheus
 * exposition) in the first layer that has the file (a later layer supplies what an earlier
 * one does not override); 404 in Qdrant's shape.
 */
export function recorded(...layers: string[]): Responder {
  return (request, response) => {
    const route = decodeURIComponent(new URL(request.url ?? "/", "http://fixture").pathname.replace(/^\/+|\/+$/g, ""));
    const candidates = layers.flatMap((layer) =>
      [".json", ".txt"].map((ext) => path.join(FIXTURES, layer, `${route}${ext}`)),
    );
    const file = candidates.find((f) => existsSync(f));
    if (file === undefined)
      sendJson(response, 404, JSON.stringify({ status: { error: `Not found: ${route}` }, time: 0.0 }));
    else if (file.endsWith(".json")) sendJson(response, 200, readFileSync(file, "utf8"));
    else {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      response.end(readFileSync(file, "utf8"));
    }
  };
}

/** Answers 401 unless the request carries Qdrant's `api-key` header with this key. */
export function requiringApiKey(key: string, next: Responder): Responder {
  return (request, response) => {
    if (request.headers["api-key"] === key) next(request, response);
    else
      sendJson(
        response,
        401,
        JSON.stringify({ status: { error: "Must provide an API key or an Authorization bearer token" }, time: 0.0 }),
      );
  };
}

/** Faults a database API shows in the field, one per responder. */
export const faults: Record<string, Responder> = {
  slow: (_request, response) => {
    const timer = setTimeout(() => sendJson(response, 200, "{}"), 60_000);
    response.on("close", () => clearTimeout(timer));
  },
  error500: (_request, response) =>
    sendJson(
      response,
      500,
      JSON.stringify({ status: { error: "Service internal error: 1 of 1 read operations failed" }, time: 0.0 }),
    ),
  html: (_request, response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.end("<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>");
  },
  closedMidBody: (_request, response) => {
    response.writeHead(200, { "content-type": "application/json", "content-length": "4096" });
    response.write('{"result":{"collections":[{"name":"do');
    setImmediate(() => response.socket?.destroy());
  },
  huge50MbChunked: (_request, response) => streamFiftyMb(response, false),
  huge50MbDeclared: (_request, response) => streamFiftyMb(response, true),
};

const FIFTY_MB = 50 * MB;

/** A 50 MB JSON-looking body, written as fast as the client reads it, until the client hangs up. */
function streamFiftyMb(response: http.ServerResponse, declareLength: boolean): void {
  response.writeHead(200, {
    "content-type": "application/json",
    ...(declareLength ? { "content-length": String(FIFTY_MB) } : {}),
  });
  const chunk = Buffer.alloc(256 * 1024, " ");
  let sent = 0;
  const pump = () => {
    while (sent < FIFTY_MB && !response.destroyed) {
      sent += chunk.length;
      if (!response.write(chunk)) return void response.once("drain", pump);
    }
    response.end();
  };
  pump();
}

/** A real HTTP server on 127.0.0.1 and a free port; `/<prefix>/...` routes to the responder named by the prefix. */
export async function startFixtureServer(responders: Record<string, Responder>): Promise<FixtureServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    requests.push({ url: request.url ?? "/", headers: request.headers });
    const [, prefix, ...rest] = (request.url ?? "/").split("/");
    if (!(prefix in responders)) {
      sendJson(response, 404, JSON.stringify({ error: `no responder ${prefix}` }));
      return;
    }
    request.url = `/${rest.join("/")}`;
    responders[prefix](request, response);
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
