/**
 * The embedded demo vector store: collections that hold real memory (float32 vectors, SQ8 codes,
 * HNSW-style layer-0 neighbour lists and JSON payloads) and account for it byte by byte, so that
 * memsnap has a live process whose own figures can be compared with what the kernel sees.
 */

export type DemoQuantization = "none" | "sq8";

export interface DemoCollectionSpec {
  readonly name: string;
  readonly dimension: number;
  /** Vectors at scale 1; the built count is round(baseVectorCount × scale). */
  readonly baseVectorCount: number;
  readonly quantization: DemoQuantization;
  /** Vectors per source document (text collections are chunked; one image is one vector). */
  readonly chunksPerDocument: number;
  readonly titlePrefix: string;
  readonly tags: readonly string[];
}

const TEXT_TAGS = ["guide", "api", "release-notes", "howto", "reference", "faq", "internal"];
const IMAGE_TAGS = ["photo", "diagram", "screenshot", "logo", "product-shot", "banner"];
const PRODUCT_TAGS = ["electronics", "garden", "kitchen", "outdoor", "sale", "new", "bestseller"];

export const DEMO_COLLECTION_SPECS: readonly DemoCollectionSpec[] = [
  {
    name: "docs",
    dimension: 768,
    baseVectorCount: 10_000,
    quantization: "none",
    chunksPerDocument: 4,
    titlePrefix: "Document",
    tags: TEXT_TAGS,
  },
  {
    name: "docs-sq8",
    dimension: 768,
    baseVectorCount: 30_000,
    quantization: "sq8",
    chunksPerDocument: 4,
    titlePrefix: "Archived document",
    tags: TEXT_TAGS,
  },
  {
    name: "images",
    dimension: 512,
    baseVectorCount: 105_000,
    quantization: "none",
    chunksPerDocument: 1,
    titlePrefix: "Image",
    tags: IMAGE_TAGS,
  },
  {
    name: "products",
    dimension: 384,
    baseVectorCount: 50_000,
    quantization: "sq8",
    chunksPerDocument: 1,
    titlePrefix: "Product",
    tags: PRODUCT_TAGS,
  },
  {
    name: "faq",
    dimension: 384,
    baseVectorCount: 2_500,
    quantization: "none",
    chunksPerDocument: 1,
    titlePrefix: "Question",
    tags: TEXT_TAGS,
  },
  {
    name: "empty",
    dimension: 768,
    baseVectorCount: 0,
    quantization: "none",
    chunksPerDocument: 1,
    titlePrefix: "Item",
    tags: TEXT_TAGS,
  },
];

/** Neighbours per vector in the HNSW base layer (layer 0). */
export const HNSW_LAYER0_NEIGHBOURS = 16;
const DEFAULT_DEMO_SEED = 0x6d656d73;

const TITLE_WORDS = [
  "memory",
  "vector",
  "index",
  "search",
  "cluster",
  "shard",
  "payload",
  "quantized",
  "latency",
  "recall",
  "embedding",
  "snapshot",
];
const SQ8_LEVELS = 255;
const SQ8_CODE_OFFSET = 128;
/** Read once: a global lookup per call is ~10x slower inside vm contexts such as jest's. */
const { imul } = Math;

export interface Float32Vectors {
  readonly quantization: "none";
  readonly vectors: Float32Array;
}

/** Scalar quantization to 8 bits: component ≈ (code + 128) × scale[d] + offset[d]. */
export interface Sq8Vectors {
  readonly quantization: "sq8";
  readonly codes: Int8Array;
  readonly scale: Float32Array;
  readonly offset: Float32Array;
}

export interface DemoCollectionBytes {
  readonly vectorsBytes: number;
  readonly indexBytes: number;
  /** The payload strings and the array holding them, as V8 lays them out (headers, alignment, slots). */
  readonly payloadBytes: number;
  readonly totalBytes: number;
}

export interface DemoCollection {
  readonly name: string;
  readonly dimension: number;
  readonly vectorCount: number;
  readonly documentCount: number;
  readonly storage: Float32Vectors | Sq8Vectors;
  /** Layer-0 neighbour ids, neighboursPerVector per vector, row-major. */
  readonly neighbours: Uint32Array;
  readonly neighboursPerVector: number;
  readonly payloads: readonly string[];
  readonly bytes: DemoCollectionBytes;
}

export interface DemoStore {
  readonly collections: readonly DemoCollection[];
  readonly totalVectors: number;
  readonly totalBytes: number;
}

export interface DemoStoreOptions {
  /** Multiplies every collection's vector count; a number > 0 (default 1). */
  readonly scale?: number;
  readonly seed?: number;
}

/**
 * mulberry32: a small, fast, seeded PRNG returning numbers in [0, 1). A class (one hidden class,
 * int32 state) keeps the hot call sites monomorphic so V8 inlines next() into the fill loops.
 */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  next(): number {
    const state = (this.state + 0x6d2b79f5) | 0;
    this.state = state;
    let t = imul(state ^ (state >>> 15), state | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Each collection gets its own stream, so adding a collection never changes another's data. */
function collectionSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) {
    hash = imul(hash ^ name.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

/** Writes a random unit vector (cosine metric) into target[at .. at + dimension). */
function fillUnitVector(random: Random, target: Float32Array, at: number, dimension: number): void {
  let sumOfSquares = 0;
  for (let d = 0; d < dimension; d++) {
    const component = random.next() * 2 - 1;
    target[at + d] = component;
    sumOfSquares += component * component;
  }
  const inverseNorm = sumOfSquares > 0 ? 1 / Math.sqrt(sumOfSquares) : 1;
  for (let d = 0; d < dimension; d++) {
    target[at + d] *= inverseNorm;
  }
}

function buildFloat32Vectors(seed: number, count: number, dimension: number): Float32Vectors {
  const random = new Random(seed);
  const vectors = new Float32Array(count * dimension);
  for (let i = 0; i < count; i++) {
    fillUnitVector(random, vectors, i * dimension, dimension);
  }
  return { quantization: "none", vectors };
}

/** Per-dimension minimum and step, from a first pass over the float32 stream. */
function sq8Parameters(seed: number, count: number, dimension: number): Pick<Sq8Vectors, "scale" | "offset"> {
  const random = new Random(seed);
  const scratch = new Float32Array(dimension);
  const minimum = new Float32Array(dimension).fill(Infinity);
  const maximum = new Float32Array(dimension).fill(-Infinity);
  for (let i = 0; i < count; i++) {
    fillUnitVector(random, scratch, 0, dimension);
    for (let d = 0; d < dimension; d++) {
      if (scratch[d] < minimum[d]) minimum[d] = scratch[d];
      if (scratch[d] > maximum[d]) maximum[d] = scratch[d];
    }
  }
  const scale = new Float32Array(dimension);
  const offset = new Float32Array(dimension);
  for (let d = 0; d < dimension; d++) {
    const range = maximum[d] - minimum[d];
    offset[d] = count > 0 ? minimum[d] : 0;
    scale[d] = range > 0 ? range / SQ8_LEVELS : 1;
  }
  return { scale, offset };
}

/**
 * Encodes the float32 stream into int8 codes one vector at a time (a second pass replays the same
 * seed), so the float32 originals are never all resident: only the codes and parameters remain.
 */
function buildSq8Vectors(seed: number, count: number, dimension: number): Sq8Vectors {
  const { scale, offset } = sq8Parameters(seed, count, dimension);
  const inverseScale = Float64Array.from(scale, (step) => 1 / step);
  const random = new Random(seed);
  const scratch = new Float32Array(dimension);
  const codes = new Int8Array(count * dimension);
  for (let i = 0; i < count; i++) {
    fillUnitVector(random, scratch, 0, dimension);
    const row = i * dimension;
    for (let d = 0; d < dimension; d++) {
      const level = ((scratch[d] - offset[d]) * inverseScale[d] + 0.5) | 0;
      codes[row + d] = level - SQ8_CODE_OFFSET;
    }
  }
  return { quantization: "sq8", codes, scale, offset };
}

function alreadyLinked(neighbours: Uint32Array, rowStart: number, filled: number, id: number): boolean {
  for (let k = 0; k < filled; k++) {
    if (neighbours[rowStart + k] === id) return true;
  }
  return false;
}

/** Distinct random neighbour ids other than the vector itself (no real graph construction). */
function buildNeighbours(random: Random, count: number): Pick<DemoCollection, "neighbours" | "neighboursPerVector"> {
  const neighboursPerVector = Math.min(HNSW_LAYER0_NEIGHBOURS, Math.max(count - 1, 0));
  const neighbours = new Uint32Array(count * neighboursPerVector);
  for (let i = 0; i < count; i++) {
    const rowStart = i * neighboursPerVector;
    for (let k = 0; k < neighboursPerVector; k++) {
      let id: number;
      do {
        id = Math.floor(random.next() * count);
      } while (id === i || alreadyLinked(neighbours, rowStart, k, id));
      neighbours[rowStart + k] = id;
    }
  }
  return { neighbours, neighboursPerVector };
}

/**
 * What V8 holds for the payloads, as Node builds it (64-bit; 4-byte tagged slots where pointer
 * compression is on): each string is a header (map, hash, length) and its characters, one byte
 * each when all are Latin-1, aligned to a tagged slot; the array holds one slot per string after
 * its own two-slot header.
 */
const V8_TAGGED_BYTES = (process.config.variables as { v8_enable_pointer_compression?: unknown })
  .v8_enable_pointer_compression
  ? 4
  : 8;
const V8_STRING_HEADER_BYTES = V8_TAGGED_BYTES + 8;
const V8_ARRAY_HEADER_SLOTS = 2;

export function v8StringBytes(text: string): number {
  const characterBytes = /^[\u0000-\u00ff]*$/.test(text) ? text.length : text.length * 2;
  return Math.ceil((V8_STRING_HEADER_BYTES + characterBytes) / V8_TAGGED_BYTES) * V8_TAGGED_BYTES;
}

export function v8ArraySlotsBytes(length: number): number {
  return length === 0 ? 0 : (V8_ARRAY_HEADER_SLOTS + length) * V8_TAGGED_BYTES;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random.next() * items.length)];
}

function buildPayloads(
  random: Random,
  spec: DemoCollectionSpec,
  count: number,
): { payloads: string[]; payloadBytes: number } {
  const payloads = new Array<string>(count);
  let payloadBytes = v8ArraySlotsBytes(count);
  for (let i = 0; i < count; i++) {
    const documentId = Math.floor(i / spec.chunksPerDocument);
    const tagCount = 1 + Math.floor(random.next() * 3);
    const tags = Array.from({ length: tagCount }, () => pick(random, spec.tags));
    const payload = JSON.stringify({
      id: `${spec.name}-${i}`,
      title: `${spec.titlePrefix} ${documentId}: ${pick(random, TITLE_WORDS)} ${pick(random, TITLE_WORDS)}`,
      tags,
      ...(spec.chunksPerDocument > 1 ? { chunk: i % spec.chunksPerDocument } : {}),
    });
    payloads[i] = payload;
    payloadBytes += v8StringBytes(payload);
  }
  return { payloads, payloadBytes };
}

function storageBytes(storage: Float32Vectors | Sq8Vectors): number {
  return storage.quantization === "none"
    ? storage.vectors.byteLength
    : storage.codes.byteLength + storage.scale.byteLength + storage.offset.byteLength;
}

function assertValidScale(scale: number): void {
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(
      `demo store scale ${scale} is not usable (expected a finite number greater than 0, e.g. 1 or 0.05)`,
    );
  }
}

export function buildDemoCollection(spec: DemoCollectionSpec, options: DemoStoreOptions = {}): DemoCollection {
  const scale = options.scale ?? 1;
  assertValidScale(scale);
  const seed = collectionSeed(options.seed ?? DEFAULT_DEMO_SEED, spec.name);
  const vectorCount = Math.max(0, Math.round(spec.baseVectorCount * scale));
  const storage =
    spec.quantization === "sq8"
      ? buildSq8Vectors(seed, vectorCount, spec.dimension)
      : buildFloat32Vectors(seed, vectorCount, spec.dimension);
  const structureRandom = new Random(seed ^ 0x9e3779b9);
  const { neighbours, neighboursPerVector } = buildNeighbours(structureRandom, vectorCount);
  const { payloads, payloadBytes } = buildPayloads(structureRandom, spec, vectorCount);
  const vectorsBytes = storageBytes(storage);
  const indexBytes = neighbours.byteLength;
  return {
    name: spec.name,
    dimension: spec.dimension,
    vectorCount,
    documentCount: Math.ceil(vectorCount / spec.chunksPerDocument),
    storage,
    neighbours,
    neighboursPerVector,
    payloads,
    bytes: { vectorsBytes, indexBytes, payloadBytes, totalBytes: vectorsBytes + indexBytes + payloadBytes },
  };
}

export function assembleDemoStore(collections: readonly DemoCollection[]): DemoStore {
  return {
    collections,
    totalVectors: collections.reduce((sum, collection) => sum + collection.vectorCount, 0),
    totalBytes: collections.reduce((sum, collection) => sum + collection.bytes.totalBytes, 0),
  };
}

export function buildDemoStore(options: DemoStoreOptions = {}): DemoStore {
  return assembleDemoStore(DEMO_COLLECTION_SPECS.map((spec) => buildDemoCollection(spec, options)));
}
