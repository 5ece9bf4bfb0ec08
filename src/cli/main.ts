#!/usr/bin/env node
import { Command, CommanderError, Option } from "commander";
import { CHANNELS } from "../alerts/notifiers/notifier";
import { VERSION } from "../version";
import { alertsTest } from "./alerts";
import { EXIT_USAGE, serve } from "./serve";

export function buildProgram(): Command {
  const program = new Command("memsnap")
    .description("The truth about a vector database's memory: Prometheus metrics, JSON snapshots, alerts.")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError("(run memsnap --help for usage)");
  program
    .command("serve")
    .description("run the daemon: sample on a schedule, serve /metrics and the snapshot API")
    .option("-c, --config <file>", "a .yaml or .json config file (environment variables override it)")
    .action(serve);
  program
    .command("alerts")
    .description("the built-in alerting")
    .command("test")
    .description("send one clearly marked test message on a channel, to check the alert wiring")
    .addOption(new Option("--channel <channel>", "where to send it").choices(CHANNELS).makeOptionMandatory())
    .option("-c, --config <file>", "a .yaml or .json config file (environment variables override it)")
    .action(alertsTest);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    throw err;
  }
}

void main();
