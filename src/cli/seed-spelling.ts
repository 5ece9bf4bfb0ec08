import { CliError } from "./common";

const ACTIONS = ["snapshot", "analyze", "compare", "monitor"] as const;

/** The flags each action turns into positional arguments, in order. */
const POSITIONAL_FLAGS: Record<(typeof ACTIONS)[number], string[]> = {
  snapshot: [],
  analyze: ["--input"],
  compare: ["--input1", "--input2"],
  monitor: [],
};

/** Takes `--flag value` or `--flag=value` out of `args`; undefined when absent. */
function takeFlag(args: string[], flag: string): string | undefined {
  const at = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (at === -1) return undefined;
  if (args[at].startsWith(`${flag}=`)) return args.splice(at, 1)[0].slice(flag.length + 1);
  if (at + 1 >= args.length || args[at + 1].startsWith("--")) throw new CliError(`${flag} needs a value`);
  return args.splice(at, 2)[1];
}

/**
 * The seed's spelling (`--action analyze --input FILE`, `--action compare --input1 A
 * --input2 B`, `--action snapshot|monitor ...`) as memsnap's commands; other arguments
 * pass unchanged.
 */
export function translateSeedSpelling(argv: string[]): string[] {
  const args = [...argv];
  const action = takeFlag(args, "--action");
  if (action === undefined) return argv;
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new CliError(`--action ${action}: expected one of ${ACTIONS.join(", ")}`);
  }
  const positionals = POSITIONAL_FLAGS[action as (typeof ACTIONS)[number]].map((flag) => {
    const value = takeFlag(args, flag);
    if (value === undefined) throw new CliError(`--action ${action} needs ${flag} FILE`);
    return value;
  });
  return [action, ...positionals, ...args];
}
