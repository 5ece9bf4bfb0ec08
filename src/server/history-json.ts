import { Readable } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Snapshot } from "../snapshot/schema";

export type HistoryDetail = "summary" | "full";

/**
 * A snapshot does not change once taken, so its summary is serialised once, a few KB each: the
 * daemon does it right after the sample, so that a history request only joins ready strings.
 */
const summaries = new WeakMap<Snapshot, string>();

/** Recommendations a summary keeps: the first, most telling ones. */
const SUMMARY_RECOMMENDATIONS = 10;
/** A finding's message in a summary is cut here: some list every collection they are about. */
const SUMMARY_MESSAGE_CHARS = 300;

const shortened = (message: string) =>
  message.length <= SUMMARY_MESSAGE_CHARS
    ? message
    : `${message.slice(0, SUMMARY_MESSAGE_CHARS)}… (whole message with ?detail=full)`;

/**
 * The snapshot without what grows with the number of collections: no `collections_detail`;
 * findings about single collections counted by code (`collection_findings`) instead of listed,
 * long finding messages cut;
 * the first recommendations, with `recommendations_total`. Totals and figures stay.
 */
export function summaryJson(snapshot: Snapshot): string {
  let json = summaries.get(snapshot);
  if (json === undefined) {
    const { collections_detail: _detail, ...totals } = snapshot.collections_info;
    const collectionFindings: Record<string, number> = {};
    for (const finding of snapshot.findings) {
      if (finding.collection !== undefined)
        collectionFindings[finding.code] = (collectionFindings[finding.code] ?? 0) + 1;
    }
    json = JSON.stringify({
      ...snapshot,
      collections_info: totals,
      findings: snapshot.findings
        .filter((finding) => finding.collection === undefined)
        .map((finding) => ({ ...finding, message: shortened(finding.message) })),
      collection_findings: collectionFindings,
      recommendations: snapshot.recommendations.slice(0, SUMMARY_RECOMMENDATIONS),
      recommendations_total: snapshot.recommendations.length,
    });
    summaries.set(snapshot, json);
  }
  return json;
}

async function* historyChunks(target: string, snapshots: Snapshot[], detail: HistoryDetail): AsyncGenerator<string> {
  yield `{"target":${JSON.stringify(target)},"detail":"${detail}","count":${snapshots.length},"snapshots":[`;
  for (const [index, snapshot] of snapshots.entries()) {
    if (index > 0) {
      yield ",";
      await nextTurn();
    }
    yield detail === "full" ? JSON.stringify(snapshot) : summaryJson(snapshot);
  }
  yield "]}";
}

/**
 * The history answer as a stream: one snapshot serialised at a time, as the client reads,
 * with a turn of the event loop between two, so that no request holds the loop (or memory)
 * for more than one snapshot's worth, even at 10 000 collections.
 */
export function historyStream(target: string, snapshots: Snapshot[], detail: HistoryDetail): Readable {
  return Readable.from(historyChunks(target, snapshots, detail), { objectMode: false, highWaterMark: 64 * 1024 });
}
