/** A table cell: text, optionally painted after padding (so colour codes never skew widths). */
export type Cell = string | { text: string; paint: (padded: string) => string };

export type Align = "left" | "right";

/** Control characters (a hostile file's escape sequences) are shown as U+FFFD, never sent to the terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "\ufffd");
}

const textOf = (cell: Cell) => printable(typeof cell === "string" ? cell : cell.text);

/** Columns count code points, so an accented name does not push its row out of line. */
const widthOf = (text: string) => Array.from(text).length;

/**
 * Rows aligned in columns two spaces apart, with an optional header; columns align
 * left unless `align` says right (numbers). Trailing spaces are trimmed.
 */
export function table(header: string[] | null, rows: Cell[][], align: Align[] = []): string[] {
  const all: Cell[][] = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, widthOf(textOf(cell)))));
  return all.map((row) =>
    row
      .map((cell, i) => {
        const text = textOf(cell);
        const pad = " ".repeat(widths[i] - widthOf(text));
        const padded = align[i] === "right" ? pad + text : text + pad;
        return typeof cell === "string" ? padded : cell.paint(padded);
      })
      .join("  ")
      .trimEnd(),
  );
}

/** Lines of a section body, two spaces in. */
export function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}
