import { createHash } from "node:crypto";
import {
  buildDemoCollection,
  buildDemoStore,
  DEMO_COLLECTION_SPECS,
  HNSW_LAYER0_NEIGHBOURS,
  type DemoCollection,
  type DemoCollectionBytes,
  type DemoCollectionSpec,
  type DemoStore,
  type Float32Vectors,
  type Sq8Vectors,
  v8ArraySlotsBytes,
  v8StringBytes,
} from "../src/demo/store";

const MIB = 1024 * 1024;

function specNamed(name: string): DemoCollectionSpec {
  const spec = DEMO_COLLECTION_SPECS.find((candidate) => candidate.name === name);
  if (spec === undefined) throw new Error(`no demo collection named ${name}`);
  return spec;
}

function collectionNamed(store: DemoStore, name: string): DemoCollection {
  const collection = store.collections.find((candidate) => candidate.name === name);
  if (collection === undefined) throw new Error(`no demo collection named ${name}`);
  return collection;
}

function typedArrayBytes(collection: DemoCollection): number {
  const storage = collection.storage;
  return storage.quantization === "sq8"
    ? storage.codes.byteLength + storage.scale.byteLength + storage.offset.byteLength
    : storage.vectors.byteLength;
}

/** A digest of everything a collection holds, so two builds compare quickly. */
function fingerprint(collection: DemoCollection): string {
  const hash = createHash("sha256");
  for (const array of [...Object.values(collection.storage), collection.neighbours]) {
    if (ArrayBuffer.isView(array)) hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }
  for (const payload of collection.payloads) hash.update(payload);
  return hash.digest("hex");
}

function float32Storage(collection: DemoCollection): Float32Vectors {
  if (collection.storage.quantization !== "none") throw new Error(`${collection.name} is quantized`);
  return collection.storage;
}

function sq8Storage(collection: DemoCollection): Sq8Vectors {
  if (collection.storage.quantization !== "sq8") throw new Error(`${collection.name} is not SQ8`);
  return collection.storage;
}

describe("demo store", () => {
  const store = buildDemoStore({ scale: 0.02 });

  it("accounts vectors and index as the byteLength of their typed arrays and payloads as V8 lays them out", () => {
    for (const collection of store.collections) {
      const strings = collection.payloads.reduce((sum, payload) => sum + v8StringBytes(payload), 0);
      const payloadBytes = strings + v8ArraySlotsBytes(collection.payloads.length);
      expect(collection.bytes).toEqual({
        vectorsBytes: typedArrayBytes(collection),
        indexBytes: collection.neighbours.byteLength,
        payloadBytes,
        totalBytes: typedArrayBytes(collection) + collection.neighbours.byteLength + payloadBytes,
      });
    }
  });

  it("totals the store as the sum of its collections", () => {
    const sum = (pick: (collection: DemoCollection) => number): number =>
      store.collections.reduce((total, collection) => total + pick(collection), 0);
    expect(store.totalBytes).toBe(sum((collection) => collection.bytes.totalBytes));
    expect(store.totalVectors).toBe(sum((collection) => collection.vectorCount));
  });

  it("keeps float32 collections as unit-length Float32Array vectors (cosine)", () => {
    const docs = collectionNamed(store, "docs");
    const { vectors } = float32Storage(docs);
    expect(vectors).toBeInstanceOf(Float32Array);
    expect(vectors.length).toBe(docs.vectorCount * docs.dimension);
    const first = vectors.subarray(0, docs.dimension);
    expect(Math.hypot(...first)).toBeCloseTo(1, 5);
  });

  it("keeps SQ8 collections as Int8 codes with a per-dimension float32 scale and offset, not float32 vectors", () => {
    const quantized = store.collections.filter((collection) => collection.storage.quantization === "sq8");
    expect(quantized.map((collection) => collection.name)).toEqual(["docs-sq8", "products"]);
    for (const collection of quantized) {
      const storage = sq8Storage(collection);
      expect(storage.codes).toBeInstanceOf(Int8Array);
      expect(storage.codes.length).toBe(collection.vectorCount * collection.dimension);
      expect(storage.scale).toBeInstanceOf(Float32Array);
      expect(storage.scale.length).toBe(collection.dimension);
      expect(storage.offset.length).toBe(collection.dimension);
      const perVectorFloats = Object.values(storage).filter(
        (value) => value instanceof Float32Array && value.length > collection.dimension,
      );
      expect(perVectorFloats).toEqual([]);
    }
  });

  it("spends about a quarter of the float32 bytes on SQ8 vectors", () => {
    const docsSq8 = collectionNamed(store, "docs-sq8");
    const float32Bytes = docsSq8.vectorCount * docsSq8.dimension * 4;
    const ratio = docsSq8.bytes.vectorsBytes / float32Bytes;
    expect(ratio).toBeGreaterThanOrEqual(0.25);
    expect(ratio).toBeLessThan(0.26);
  });

  it("encodes SQ8 from the float32 range: every dimension uses codes -128 and 127", () => {
    const products = collectionNamed(store, "products");
    const { codes } = sq8Storage(products);
    for (let d = 0; d < products.dimension; d++) {
      let lowest = Infinity;
      let highest = -Infinity;
      for (let i = 0; i < products.vectorCount; i++) {
        lowest = Math.min(lowest, codes[i * products.dimension + d]);
        highest = Math.max(highest, codes[i * products.dimension + d]);
      }
      expect([d, lowest, highest]).toEqual([d, -128, 127]);
    }
  });

  it("links every vector to distinct in-range neighbours other than itself", () => {
    for (const collection of store.collections) {
      const { neighbours, neighboursPerVector, vectorCount } = collection;
      expect(neighbours).toBeInstanceOf(Uint32Array);
      expect(neighbours.length).toBe(vectorCount * neighboursPerVector);
      for (let i = 0; i < vectorCount; i++) {
        const row = Array.from(neighbours.subarray(i * neighboursPerVector, (i + 1) * neighboursPerVector));
        expect(row.every((id) => id < vectorCount && id !== i)).toBe(true);
        expect(new Set(row).size).toBe(row.length);
      }
    }
    expect(collectionNamed(store, "images").neighboursPerVector).toBe(HNSW_LAYER0_NEIGHBOURS);
  });

  it("links a collection too small for a full neighbour list to every other vector", () => {
    const tiny = buildDemoCollection(specNamed("faq"), { scale: 0.004 });
    expect(tiny.vectorCount).toBe(10);
    expect(tiny.neighboursPerVector).toBe(9);
    expect(Array.from(tiny.neighbours.subarray(0, 9)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("stores one small JSON payload per vector", () => {
    const docs = collectionNamed(store, "docs");
    expect(docs.payloads).toHaveLength(docs.vectorCount);
    const payload: unknown = JSON.parse(docs.payloads[5]);
    expect(payload).toEqual({
      id: "docs-5",
      title: expect.stringMatching(/^Document 1: \w+ \w+$/),
      tags: expect.any(Array),
      chunk: 1,
    });
    expect(docs.documentCount).toBe(Math.ceil(docs.vectorCount / 4));
  });

  it("holds nothing in the empty collection", () => {
    const empty = collectionNamed(store, "empty");
    expect(empty.vectorCount).toBe(0);
    expect(empty.documentCount).toBe(0);
    expect(empty.bytes).toEqual({ vectorsBytes: 0, indexBytes: 0, payloadBytes: 0, totalBytes: 0 });
  });
});

describe("demo store scale", () => {
  it.each([0.01, 0.02, 0.0001])("multiplies every vector count by scale %p, rounded", (scale) => {
    const store = buildDemoStore({ scale });
    expect(store.collections.map((collection) => [collection.name, collection.vectorCount])).toEqual(
      DEMO_COLLECTION_SPECS.map((spec) => [spec.name, Math.round(spec.baseVectorCount * scale)]),
    );
  });

  it("has a collection over 100 000 vectors without quantization at scale 1", () => {
    expect(specNamed("images")).toMatchObject({ quantization: "none", dimension: 512 });
    expect(specNamed("images").baseVectorCount).toBeGreaterThan(100_000);
  });

  it("holds roughly 250–350 MB at scale 1 (extrapolated from scale 0.1)", () => {
    const extrapolatedBytes = buildDemoStore({ scale: 0.1 }).totalBytes * 10;
    expect(extrapolatedBytes).toBeGreaterThan(250 * MIB);
    expect(extrapolatedBytes).toBeLessThan(350 * MIB);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses scale %p, saying what is expected", (scale) => {
    expect(() => buildDemoStore({ scale })).toThrow(/expected a finite number greater than 0/);
  });
});

describe("demo store determinism", () => {
  it("builds the same bytes for the same seed", () => {
    const first = buildDemoStore({ scale: 0.01, seed: 42 });
    const second = buildDemoStore({ scale: 0.01, seed: 42 });
    expect(second.collections.map(fingerprint)).toEqual(first.collections.map(fingerprint));
    const bytesOf = (store: DemoStore): DemoCollectionBytes[] =>
      store.collections.map((collection) => collection.bytes);
    expect(bytesOf(second)).toEqual(bytesOf(first));
  });

  it("builds different vectors for a different seed", () => {
    const first = buildDemoCollection(specNamed("docs"), { scale: 0.01, seed: 42 });
    const second = buildDemoCollection(specNamed("docs"), { scale: 0.01, seed: 43 });
    expect(fingerprint(second)).not.toBe(fingerprint(first));
  });
});
