import path from "node:path";
import { PACKAGE_ROOT } from "../src/package-root";

export const RESULTS_FILE = path.join(PACKAGE_ROOT, "bench/RESULTS.md");

/**
 * Puts the generated text between the markers `<!-- NAME:begin -->` and `<!-- NAME:end -->` of
 * the file's text, keeping what surrounds them; a block not there yet is added at the end.
 */
export function spliceResults(existing: string | null, generated: string, name = "bench"): string {
  const [begin, end] = [`<!-- ${name}:begin -->`, `<!-- ${name}:end -->`];
  const block = `${begin}\n${generated}${end}`;
  if (existing === null) return `# memsnap benchmark results\n\n${block}\n`;
  if (!existing.includes(begin) || !existing.includes(end)) return `${existing.trimEnd()}\n\n${block}\n`;
  return existing.slice(0, existing.indexOf(begin)) + block + existing.slice(existing.indexOf(end) + end.length);
}
