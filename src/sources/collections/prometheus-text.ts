/**
 * The samples of a Prometheus text exposition (a database's own `/metrics`), by metric
 * name: label-less samples only, which is how databases publish process-wide figures.
 * Comments, labelled samples and lines that are not samples are skipped.
 */
export function unlabelledSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{\})?\s+(\S+)/.exec(line.trim());
    if (match === null) continue;
    const value = Number(match[2]);
    if (Number.isFinite(value)) samples.set(match[1], value);
  }
  return samples;
}

/** The prefix under which `name` appears: "" when unprefixed; null when absent or ambiguous. */
export function prefixOf(samples: Map<string, number>, name: string): string | null {
  if (samples.has(name)) return "";
  const prefixes = [...samples.keys()]
    .filter((key) => key.endsWith(`_${name}`))
    .map((key) => key.slice(0, -name.length));
  return prefixes.length === 1 ? prefixes[0] : null;
}
