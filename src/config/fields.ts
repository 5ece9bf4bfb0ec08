import { z } from "zod";

const NUMBER_TEXT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i;

/**
 * A number as YAML or JSON gives it, or as text that is a number (the environment's only
 * type). Nothing else is coerced: `port: true` or an empty string is refused, not 1 or 0.
 */
export const numberField = (what: string, check: (n: number) => boolean) =>
  z
    .preprocess((v) => (typeof v === "string" && NUMBER_TEXT.test(v) ? Number(v) : v), z.number({ error: `expected ${what}` }))
    .refine((n) => Number.isFinite(n) && check(n), { message: `expected ${what}` });

export const integerField = (min: number, max: number, what: string) =>
  numberField(what, (n) => Number.isInteger(n) && n >= min && n <= max);

/** A switch: a YAML boolean, or on/off/true/false as text. */
export const onOff = z
  .union([z.boolean(), z.enum(["on", "off", "true", "false"])], { error: "expected on or off" })
  .transform((v) => v === true || v === "on" || v === "true");
