import http from "node:http";
import { spliceResults } from "./results-file";
import { interleavedLatency } from "./measure";
import { ProcessStack } from "./processes";
import { leastSquaresSlope } from "./sample-loop";
import { startSyntheticVectorizer } from "./synthetic-vectorizer";
import { percentile } from "./timing";
import { VectorizerSource } from "../src/sources/collections/vectorizer";
import type { SourceError } from "../src/sources/types";
import { listenOnLoopback } from "../test/helpers/listen";

describe("the benchmark's pieces", () => {
  it("serves synthetic collections in the shape the Vectorizer adapter reads", async () => {
    const server = await startSyntheticVectorizer(25);
    try {
      const source = new VectorizerSource({ url: server.url, timeoutMs: 5000, maxBytes: 1024 * 1024 });
      const errors: SourceError[] = [];
      const { collections } = await source.collections(new AbortController().signal, errors);
      expect(errors).toEqual([]);
      expect(collections).toHaveLength(25);
      expect(new Set(collections.map((c) => c.name)).size).toBe(25);
      expect(collections.filter((c) => c.quantization === "sq8")).toHaveLength(13);
      expect(collections.every((c) => c.actualBytes! > 0 && c.vectorCount > 0)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it.each([
    [[5, 1, 4, 2, 3], 0.5, 3],
    [[5, 1, 4, 2, 3], 0.99, 5],
    [[5, 1, 4, 2, 3], 0, 1],
    [[7], 0.99, 7],
  ])("takes the nearest-rank percentile of %j at %d as %d", (values, fraction, expected) => {
    expect(percentile(values, fraction)).toBe(expected);
  });

  it("fits the slope of RSS over samples by least squares", () => {
    expect(
      leastSquaresSlope([
        [0, 10],
        [1, 12],
        [2, 14],
      ]),
    ).toBeCloseTo(2);
    expect(
      leastSquaresSlope([
        [5, 3],
        [5, 9],
      ]),
    ).toBe(0);
  });

  it("rewrites only what lies between the markers of RESULTS.md", () => {
    const existing = "# Results\n\nprose above\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\nprose below\n";
    expect(spliceResults(existing, "new table\n")).toBe(
      "# Results\n\nprose above\n<!-- bench:begin -->\nnew table\n<!-- bench:end -->\nprose below\n",
    );
    expect(spliceResults(null, "t\n")).toContain("<!-- bench:begin -->\nt\n<!-- bench:end -->");
    const page = "bench:page";
    const withPage = spliceResults(existing, "page table\n", page);
    expect(withPage).toBe(`${existing}\n<!-- bench:page:begin -->\npage table\n<!-- bench:page:end -->\n`);
    expect(spliceResults(withPage, "newer\n", page)).toBe(
      `${existing}\n<!-- bench:page:begin -->\nnewer\n<!-- bench:page:end -->\n`,
    );
  });

  it("keeps each named block apart: a new one goes at the end, an existing one is replaced in place", () => {
    const main = "# Results\n<!-- bench:begin -->\nmain\n<!-- bench:end -->\n";
    const added = spliceResults(main, "walks\n", "bench:attribution");
    expect(added).toBe(`${main}\n<!-- bench:attribution:begin -->\nwalks\n<!-- bench:attribution:end -->\n`);
    expect(spliceResults(added, "again\n", "bench:attribution")).toBe(added.replace("walks", "again"));
    expect(spliceResults(added, "other\n")).toBe(added.replace("main", "other"));
  });

  it("stops what it started in reverse order, even when one stop fails", async () => {
    const stopped: string[] = [];
    const stack = new ProcessStack();
    for (const name of ["first", "second", "third"]) {
      await stack.start(
        Promise.resolve({
          stop: () => {
            stopped.push(name);
            return name === "second" ? Promise.reject(new Error("stuck")) : Promise.resolve();
          },
        }),
      );
    }
    await stack.stopAll();
    expect(stopped).toEqual(["third", "second", "first"]);
  });

  it("times every sequential request to each server it compares", async () => {
    const server = http.createServer((_, response) => response.end("ok"));
    const url = `http://127.0.0.1:${await listenOnLoopback(server)}/`;
    try {
      const [a, b] = await interleavedLatency([url, url], 120);
      expect([a.requests, b.requests, a.bodyBytes]).toEqual([120, 120, 2]);
      expect(a.p99Ms).toBeGreaterThanOrEqual(a.p50Ms);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
