import type { HealthStatus } from "../../snapshot/health";
import type { Severity } from "../../snapshot/findings";

/** What colours a line; every function returns its text unchanged when colour is off. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  severity(severity: Severity, text: string): string;
  status(status: HealthStatus, text: string): string;
}

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
type Colour = keyof typeof CODES;

const SEVERITY_COLOURS: Record<Severity, Colour> = { critical: "red", warning: "yellow", opportunity: "cyan" };
const STATUS_COLOURS: Record<HealthStatus, Colour> = {
  excellent: "green",
  good: "green",
  fair: "yellow",
  critical: "red",
  unknown: "dim",
};

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colourEnabled(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

export function createStyle(colour: boolean): Style {
  const paint = (c: Colour, text: string) => (colour ? `\u001b[${CODES[c]}m${text}\u001b[0m` : text);
  return {
    bold: (text) => paint("bold", text),
    dim: (text) => paint("dim", text),
    severity: (severity, text) => paint(SEVERITY_COLOURS[severity], text),
    status: (status, text) => paint(STATUS_COLOURS[status], text),
  };
}

/** The style for what this process prints on stdout. */
export function stdoutStyle(): Style {
  return createStyle(colourEnabled(process.stdout, process.env));
}
