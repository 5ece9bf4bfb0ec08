import fc from "fast-check";
import { renderAnalysis } from "../src/cli/render/snapshot-report";
import { createStyle } from "../src/cli/render/style";
import { ThresholdsSchema } from "../src/config/schema";
import { chromaAllocatedNodes } from "../src/sources/collections/chroma";
import { buildSnapshot } from "../src/snapshot/build";
import { expectedMemory, hnswGraphBytes, quantizedComponentBytes, sq8Change } from "../src/snapshot/model";
import type { CollectionLayout } from "../src/sources/types";
import { collectionOf, processOf, sampleOf } from "./helpers/samples";

const QDRANT: CollectionLayout = {
  componentBytes: 4,
  keepsOriginals: true,
  hnswM: 16,
  graphs: 1,
  enableSq8: "PATCH /collections/docs {…}",
};
const VECTORIZER: CollectionLayout = {
  componentBytes: 4,
  keepsOriginals: false,
  hnswM: 16,
  enableSq8: "rebuild it with SQ8",
};
const thresholds = ThresholdsSchema.parse({});

describe("the model's expected bytes", () => {
  it("counts HNSW level 0 as (2·m + 1) × 4 bytes per node and the upper levels as m + 1 links on 1/(m − 1) of them", () => {
    expect(hnswGraphBytes(20_000, 20_000, 16)).toBe(Math.round(20_000 * 33 * 4 + (20_000 * 17 * 4) / 15));
    expect(hnswGraphBytes(10_000, 5_000, 32)).toBe(Math.round(10_000 * 65 * 4 + (5_000 * 33 * 4) / 31));
  });

  it("has no upper levels with m = 1: level 0 alone, three links' worth per node", () => {
    expect(hnswGraphBytes(1_000, 1_000, 1)).toBe(1_000 * 3 * 4);
  });

  it("fixes no component size for PQ (its codebook is not given) nor without quantization", () => {
    expect(quantizedComponentBytes("pq")).toBeNull();
    expect(quantizedComponentBytes("none")).toBeNull();
    expect(quantizedComponentBytes("sq8")).toBe(1);
  });

  it("keeps Qdrant's float32 originals beside the SQ8 copy, and drops them where the database replaces them", () => {
    const qdrant = expectedMemory(
      collectionOf("docs", 100_000, { dimension: 384, quantization: "sq8", layout: QDRANT }),
    );
    expect(qdrant).toMatchObject({ vectorsBytes: 100_000 * 384 * 4, quantizedBytes: 100_000 * 384 });
    expect(qdrant.totalBytes).toBe(100_000 * 384 * 5 + qdrant.graphBytes);
    const vectorizer = expectedMemory(
      collectionOf("docs", 100_000, { dimension: 384, quantization: "sq8", layout: VECTORIZER }),
    );
    expect(vectorizer).toMatchObject({
      vectorsBytes: 0,
      quantizedBytes: 100_000 * 384,
      graphBytes: hnswGraphBytes(100_000, 100_000, 16),
    });
  });

  it("sizes binary quantization at a bit per component, rounded up to whole bytes per vector", () => {
    const binary = expectedMemory(
      collectionOf("b", 1_000, { dimension: 100, quantization: "binary", layout: VECTORIZER }),
    );
    expect(binary.quantizedBytes).toBe(13 * 1_000);
  });

  it("counts the nodes Chroma allocates, its 8-byte labels, and the payload where the database gives it", () => {
    expect([1, 10_000, 10_001, 20_000, 20_001].map(chromaAllocatedNodes)).toEqual([
      10_000, 10_000, 20_000, 20_000, 40_000,
    ]);
    const layout: CollectionLayout = {
      componentBytes: 4,
      keepsOriginals: false,
      hnswM: 16,
      allocatedNodes: 10_000,
      nodeLabelBytes: 8,
    };
    const chroma = expectedMemory(collectionOf("c", 5_000, { dimension: 384, payloadBytes: 1234, layout }));
    expect(chroma).toEqual({
      vectorsBytes: 10_000 * 384 * 4,
      quantizedBytes: 0,
      graphBytes: hnswGraphBytes(10_000, 5_000, 16) + 10_000 * 8,
      payloadBytes: 1234,
      totalBytes: 10_000 * 384 * 4 + hnswGraphBytes(10_000, 5_000, 16) + 10_000 * 8 + 1234,
    });
  });

  it("never expects less than the naive float32 estimate for an unquantized float32 collection", () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000),
        fc.integer({ min: 1, max: 4096 }),
        fc.option(fc.integer({ min: 2, max: 64 })),
        (vectors, dimension, m) => {
          const layout: CollectionLayout = { componentBytes: 4, keepsOriginals: true, hnswM: m };
          const expected = expectedMemory(collectionOf("p", vectors, { dimension, layout })).totalBytes;
          expect(expected).toBeGreaterThanOrEqual(vectors * dimension * 4);
        },
      ),
    );
  });
});

describe("the SQ8 recommendation, by the model", () => {
  const recommend = (layout: CollectionLayout | undefined) => {
    const docs = collectionOf("docs", 150_000, { dimension: 384, layout });
    return buildSnapshot(sampleOf("2026-01-01T00:00:00Z", processOf(1024), [docs]), thresholds).findings.find(
      (f) => f.code === "EnableQuantization",
    );
  };

  it("does not count Qdrant's float32 originals as saved: they stay, on disk, and the call that moves them is named", () => {
    const finding = recommend(QDRANT);
    expect(finding?.message).toBe(
      "Quantize `docs` with SQ8 (150 k vectors × 384 dims), its float32 originals on disk: the database keeps the originals " +
        "(~219.7 MB stay, on disk, paged in for rescoring) and adds a 1-byte copy (~54.9 MB) in RAM; the RAM it needs falls by ~164.8 MB " +
        "(SQ8 alone, the originals left in RAM, adds ~54.9 MB). Apply: PATCH /collections/docs {…}",
    );
    expect(finding?.message).not.toMatch(/saves|go away/);
  });

  it("says the originals go away where the database drops them, and how to apply it", () => {
    expect(recommend(VECTORIZER)?.message).toBe(
      "Enable SQ8 on `docs` (150 k vectors × 384 dims): the float32 originals (~219.7 MB) go away for a 1-byte copy (~54.9 MB): saves ~164.8 MB. rebuild it with SQ8",
    );
  });

  it("recommends nothing where the database offers no quantization (Chroma) or the vectors already hold a byte per component", () => {
    expect(recommend({ componentBytes: 4, keepsOriginals: false, hnswM: 16, enableSq8: null })).toBeUndefined();
    expect(recommend({ ...QDRANT, componentBytes: 1 })).toBeUndefined();
    expect(sq8Change(collectionOf("u8", 10, { layout: { ...QDRANT, componentBytes: 1 } }))).toBeNull();
  });
});

describe("the model in the command line's report", () => {
  it("shows the expected MB beside the estimate and the database's figure", () => {
    const docs = collectionOf("docs", 100_000, { dimension: 384, layout: VECTORIZER });
    const snapshot = buildSnapshot(sampleOf("2026-01-01T00:00:00Z", processOf(1024), [docs]), thresholds);
    const report = renderAnalysis(snapshot, createStyle(false));
    const expectedMb = (expectedMemory(docs).totalBytes / 1024 / 1024).toFixed(1);
    expect(expectedMb).toBe("159.5");
    expect(report).toMatch(/ESTIMATED MB +EXPECTED MB +ACTUAL MB\n +docs +100,000 +384 +none +146\.5 +159\.5 +293\.0/);
  });
});
