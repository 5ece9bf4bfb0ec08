import path from "node:path";
import { PACKAGE_ROOT } from "../src/package-root";

export const RESULTS_FILE = path.join(PACKAGE_ROOT, "bench/RESULTS.md");
const MARKERS = { begin: "<!-- bench:begin -->", end: "<!-- bench:end -->" };

/**
 * Puts the generated text between the markers of `file`, keeping what surrounds them; a file
 * without them gets them at its end.
 */
export function spliceResults(existing: string | null, generated: string, markers = MARKERS): string {
  const block = `${markers.begin}\n${generated}${markers.end}`;
  if (existing === null) return `# memsnap benchmark results\n\n${block}\n`;
  if (!existing.includes(markers.begin) || !existing.includes(markers.end)) return `${existing.trimEnd()}\n\n${block}\n`;
  return existing.slice(0, existing.indexOf(markers.begin)) + block + existing.slice(existing.indexOf(markers.end) + markers.end.length);
}
