import http, { type IncomingMessage } from "node:http";
import https from "node:https";

export interface FetchJsonOptions {
  signal: AbortSignal;
  timeoutMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
  /** What to tell the operator when the server refuses memsnap (HTTP 401 or 403). */
  refusedHint?: string;
}

/** A database API that could not be read; `status` is the HTTP status when it answered one. */
export class SourceHttpError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = "SourceHttpError";
  }
}

/** How much of an error answer is quoted back to the operator. */
const ERROR_BODY_QUOTE_CHARS = 200;

/**
 * An endpoint under the API's base URL, keeping any path prefix of the base
 * (`http://proxy/qdrant` + `collections` → `http://proxy/qdrant/collections`).
 */
export function endpoint(baseUrl: string, path: string): string {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  return new URL(path.replace(/^\/+/, ""), base).toString();
}

function causeOf(err: unknown): string {
  const { cause, code, message } = err as Error & { cause?: Error; code?: string };
  if (code === "ECONNRESET" && message === "aborted") return "connection reset";
  return cause?.message ?? message;
}

/** The answer started but did not finish. */
class BodyInterrupted extends Error {
  constructor(
    readonly receivedBytes: number,
    readonly original: unknown,
  ) {
    super("body interrupted");
  }
}

/** Kept-alive connections to the database: a sample makes a few requests every few seconds. */
const AGENTS = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 8 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 8 }),
};

/** How much of an error answer is read to find the server's own words. */
const ERROR_BODY_READ_BYTES = 4096;

/**
 * Reads a body up to `maxBytes`. Past the cap, `overCap` says what to do: throw an error
 * (a success answer that is too large) or stop quietly with what was read (an error answer).
 */
async function readBody(response: IncomingMessage, maxBytes: number, overCap: (() => Error) | null): Promise<string> {
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      received += chunk.byteLength;
      if (received > maxBytes) {
        response.destroy();
        if (overCap) throw overCap();
        break;
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof SourceHttpError) throw err;
    throw new BodyInterrupted(received, err);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** What the server said about an error, when it said it in a few words (Qdrant: `status.error`). */
function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { status?: { error?: unknown }; error?: unknown; message?: unknown };
    const both =
      typeof body.error === "string" && typeof body.message === "string" ? `${body.error}: ${body.message}` : null;
    const said = body.status?.error ?? both ?? body.error ?? body.message;
    if (typeof said === "string") return `: ${said.slice(0, ERROR_BODY_QUOTE_CHARS)}`;
  } catch {
    return "";
  }
  return "";
}

function request(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  const agent = AGENTS[target.protocol as keyof typeof AGENTS];
  return new Promise((resolve, reject) => {
    client.get(target, { agent, headers, signal }, resolve).once("error", reject);
  });
}

async function fetchText(url: string, options: FetchJsonOptions, signal: AbortSignal): Promise<string> {
  const response = await request(url, options.headers ?? {}, signal);
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    const detail = errorDetail(await readBody(response, ERROR_BODY_READ_BYTES, null).catch(() => ""));
    const refused = (status === 401 || status === 403) && options.refusedHint ? ` (${options.refusedHint})` : "";
    throw new SourceHttpError(`${url} answered HTTP ${status}${detail}${refused}`, status);
  }
  const declared = Number(response.headers["content-length"]);
  if (declared > options.maxBytes) {
    response.destroy();
    throw new SourceHttpError(
      `${url} answered ${declared} bytes, over the ${options.maxBytes}-byte cap (raise max_response_bytes)`,
    );
  }
  return readBody(
    response,
    options.maxBytes,
    () => new SourceHttpError(`${url} answered more than the ${options.maxBytes}-byte cap (raise max_response_bytes)`),
  );
}

function describeFailure(url: string, err: unknown, timedOut: boolean, timeoutMs: number): SourceHttpError {
  if (err instanceof BodyInterrupted) {
    if (timedOut) return new SourceHttpError(`${url} did not finish its answer within ${timeoutMs} ms`);
    return new SourceHttpError(
      `${url} closed the connection after ${err.receivedBytes} bytes of its answer (${causeOf(err.original)})`,
    );
  }
  if (timedOut) return new SourceHttpError(`${url} did not answer within ${timeoutMs} ms`);
  return new SourceHttpError(`cannot reach ${url}: ${causeOf(err)}`);
}

/** Why the caller cancelled: its own words when it gave an Error as the reason. */
function cancelReason(signal: AbortSignal): string {
  return signal.reason instanceof Error && signal.reason.name !== "AbortError"
    ? signal.reason.message
    : "memsnap is stopping";
}

/** GETs a text answer, bounded in time and size, with errors that name the URL and the cause. */
export async function fetchPlainText(url: string, options: FetchJsonOptions, accept = "text/plain"): Promise<string> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  try {
    return await fetchText(url, { ...options, headers: { accept, ...options.headers } }, signal);
  } catch (err) {
    if (err instanceof SourceHttpError) throw err;
    if (options.signal.aborted)
      throw new SourceHttpError(`reading ${url} was cancelled: ${cancelReason(options.signal)}`);
    throw describeFailure(url, err, signal.aborted, options.timeoutMs);
  }
}

/** GETs a JSON document, bounded in time and size, with errors that name the URL and the cause. */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const text = await fetchPlainText(url, options, "application/json");
  try {
    return JSON.parse(text);
  } catch {
    const start = JSON.stringify(text.trimStart().slice(0, 40));
    throw new SourceHttpError(
      `${url} did not answer JSON (its answer starts with ${start}); is this the database's API URL?`,
    );
  }
}

/** The value of a settled read, or its failure thrown. */
export function settled<T>(read: PromiseSettledResult<T>): T {
  if (read.status === "rejected") throw read.reason;
  return read.value;
}
