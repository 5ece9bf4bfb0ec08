import type { CollectionFigures, CollectionLayout, Quantization } from "../sources/types";
import { FLOAT32_BYTES } from "./analysis";

/** Bytes of one HNSW link (a node id). */
const LINK_BYTES = 4;

/** What a database without a layout of its own is taken to keep: float32 vectors, no graph known. */
const PLAIN_LAYOUT: CollectionLayout = { componentBytes: FLOAT32_BYTES, keepsOriginals: false, hnswM: null };

/** The model's expectation of what a collection holds, part by part. */
export interface ExpectedMemory {
  /** The stored vectors at their own element type (float32, float16, uint8); 0 when quantization replaced them. */
  vectorsBytes: number;
  /** The quantized copy (SQ: bits/8 per component, binary: 1 bit); 0 without quantization, and for PQ, whose codebook size the API does not give. */
  quantizedBytes: number;
  /** The HNSW graph: level 0 with 2·m links per node, the upper levels with m, and any per-node label. */
  graphBytes: number;
  /** The payload, where the database gives its size; else 0. */
  payloadBytes: number;
  totalBytes: number;
}

/** Bytes one quantized component occupies; null where the scheme does not fix it (PQ) or without quantization. */
export function quantizedComponentBytes(quantization: Quantization): number | null {
  if (quantization === "none" || quantization === "pq") return null;
  if (quantization === "binary") return 1 / 8;
  return Number(quantization.slice(2)) / 8;
}

/**
 * HNSW level 0: every node holds up to 2·m links and their count, (2·m + 1) × 4 bytes.
 * A node reaches level l with probability m^−l, so on average it has 1/(m − 1) upper
 * levels of m links and a count each.
 */
export function hnswGraphBytes(nodes: number, vectors: number, m: number): number {
  const levelZero = nodes * (2 * m + 1) * LINK_BYTES;
  const upperLevels = m > 1 ? (vectors * (m + 1) * LINK_BYTES) / (m - 1) : 0;
  return Math.round(levelZero + upperLevels);
}

function layoutOf(c: CollectionFigures): CollectionLayout {
  return c.layout ?? PLAIN_LAYOUT;
}

/**
 * What the collection is expected to hold, from what the database says it keeps: vectors
 * by element type and quantization (the originals where the database keeps them beside
 * the quantized copy), the HNSW graph over the nodes it allocates, and the payload.
 */
export function expectedMemory(c: CollectionFigures): ExpectedMemory {
  const layout = layoutOf(c);
  const nodes = Math.max(layout.allocatedNodes ?? c.vectorCount, c.vectorCount);
  const perComponent = quantizedComponentBytes(c.quantization);
  const quantizedBytes = perComponent === null ? 0 : Math.ceil(c.dimension * perComponent) * c.vectorCount;
  const vectorsBytes =
    c.quantization === "none" || layout.keepsOriginals ? Math.round(nodes * c.dimension * layout.componentBytes) : 0;
  const labels = nodes * (layout.nodeLabelBytes ?? 0);
  const graphs = layout.graphs ?? 1;
  const graphBytes = layout.hnswM === null ? 0 : graphs * hnswGraphBytes(nodes, c.vectorCount, layout.hnswM) + labels;
  const payloadBytes = c.payloadBytes ?? 0;
  return {
    vectorsBytes,
    quantizedBytes,
    graphBytes,
    payloadBytes,
    totalBytes: vectorsBytes + quantizedBytes + graphBytes + payloadBytes,
  };
}

/** What enabling SQ8 does to an unquantized collection's memory, by the model. */
export interface Sq8Change {
  /** The 1-byte copy SQ8 adds. */
  addedBytes: number;
  /** The originals the database drops for the copy. */
  removedBytes: number;
  /** The originals the database keeps beside the copy, for rescoring: they stay, in RAM or on disk. */
  keptBytes: number;
  /**
   * The RAM the collection stops needing: the originals dropped, or, where the database keeps
   * them, moved to disk (where the page cache holds what rescoring reads), less the copy.
   */
  ramFreedBytes: number;
}

/** Null where SQ8 cannot shrink the vectors: they already hold a byte per component or less. */
export function sq8Change(c: CollectionFigures): Sq8Change | null {
  const layout = layoutOf(c);
  if (layout.componentBytes <= 1) return null;
  const originals = Math.round(c.vectorCount * c.dimension * layout.componentBytes);
  const addedBytes = c.vectorCount * c.dimension;
  const ramFreedBytes = originals - addedBytes;
  return layout.keepsOriginals
    ? { addedBytes, removedBytes: 0, keptBytes: originals, ramFreedBytes }
    : { addedBytes, removedBytes: originals, keptBytes: 0, ramFreedBytes };
}
