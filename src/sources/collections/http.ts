export interface FetchJsonOptions {
  signal: AbortSignal;
  timeoutMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
}

export class SourceHttpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceHttpError";
  }
}

async function readCapped(response: Response, url: string, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    throw new SourceHttpError(`${url} answered ${declared} bytes, over the ${maxBytes}-byte cap`);
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of response.body ?? []) {
    received += chunk.byteLength;
    if (received > maxBytes) {
      throw new SourceHttpError(`${url} answered more than the ${maxBytes}-byte cap`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** GETs a JSON document, bounded in time and size, with errors that name the URL. */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  let text: string;
  try {
    const response = await fetch(url, { signal, headers: { accept: "application/json", ...options.headers } });
    if (!response.ok) {
      await response.body?.cancel();
      throw new SourceHttpError(`${url} answered HTTP ${response.status}`);
    }
    text = await readCapped(response, url, options.maxBytes);
  } catch (err) {
    if (err instanceof SourceHttpError) throw err;
    if (signal.aborted && !options.signal.aborted) {
      throw new SourceHttpError(`${url} did not answer within ${options.timeoutMs} ms`);
    }
    const cause = (err as Error & { cause?: Error }).cause;
    throw new SourceHttpError(`cannot reach ${url}: ${cause?.message ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new SourceHttpError(`${url} did not answer JSON (starts with ${JSON.stringify(text.slice(0, 40))})`);
  }
}
