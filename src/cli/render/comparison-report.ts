import { isUnchanged, type FigureChange, type FindingRef, type SnapshotComparison } from "../../snapshot/compare";
import { duration, figure, signed, signedFigure } from "./format";
import type { Style } from "./style";
import { indent, printable, table } from "./table";

function title(c: SnapshotComparison, style: Style): string {
  const when =
    c.elapsed_seconds >= 0 ? `${duration(c.elapsed_seconds)} later` : `${duration(c.elapsed_seconds)} earlier`;
  return style.bold(
    printable(`memsnap compare · ${c.old.target} ${c.old.timestamp} → ${c.new.target} ${c.new.timestamp} (${when})`),
  );
}

function healthLine(c: SnapshotComparison, style: Style): string {
  const h = c.health;
  const scores = `${figure(h.old_score)} → ${style.status(h.new_status, figure(h.new_score))} (${signed(h.change, 0)})`;
  return `${style.bold("Health")}  ${scores}  ${h.old_status} → ${h.new_status}`;
}

function percentText(f: FigureChange): string {
  return f.change_percent === null ? "" : `${signed(f.change_percent)} %`;
}

function figureLines(figures: FigureChange[], style: Style): string[] {
  if (figures.length === 0) return [];
  const rows = figures.map((f) => [
    f.section,
    f.figure,
    figure(f.old),
    figure(f.new),
    signedFigure(f.change),
    percentText(f),
  ]);
  const head = ["SECTION", "FIGURE", "OLD", "NEW", "CHANGE", "%"];
  return [
    style.bold("Figures that changed"),
    ...indent(table(head, rows, ["left", "left", "right", "right", "right", "right"])),
  ];
}

function findingLines(label: string, refs: FindingRef[], style: Style): string[] {
  if (refs.length === 0) return [];
  const rows = refs.map((f) => [
    { text: f.severity, paint: (t: string) => style.severity(f.severity, t) },
    f.code,
    f.message,
  ]);
  return [style.bold(label), ...indent(table(null, rows))];
}

function collectionLines(c: SnapshotComparison, style: Style): string[] {
  const lines: string[] = [];
  if (c.collections_added.length > 0)
    lines.push(`${style.bold("Collections added")}  ${printable(c.collections_added.join(", "))}`);
  if (c.collections_removed.length > 0)
    lines.push(`${style.bold("Collections removed")}  ${printable(c.collections_removed.join(", "))}`);
  if (c.collections_changed.length === 0) return lines;
  const rows = c.collections_changed.map((change) => {
    const quantization =
      change.quantization === null ? [] : [`quantization ${change.quantization.old} → ${change.quantization.new}`];
    const figures = change.figures.map((f) => {
      const percent = f.change_percent === null ? "" : ` (${percentText(f)})`;
      return `${f.figure} ${figure(f.old)} → ${figure(f.new)}${percent}`;
    });
    return [change.name, [...quantization, ...figures].join("; ")];
  });
  return [...lines, style.bold("Collections changed"), ...indent(table(null, rows))];
}

/** The comparison as a person reads it: what changed, what appeared, what cleared. */
export function renderComparison(c: SnapshotComparison, style: Style): string {
  if (isUnchanged(c)) return [title(c, style), "No differences: the two snapshots hold the same figures."].join("\n");
  const sections = [
    [title(c, style), healthLine(c, style)],
    figureLines(c.figures, style),
    findingLines("Findings that appeared", c.findings_appeared, style),
    findingLines("Findings that cleared", c.findings_cleared, style),
    collectionLines(c, style),
  ].filter((lines) => lines.length > 0);
  return sections.map((lines) => lines.join("\n")).join("\n\n");
}
