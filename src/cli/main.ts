#!/usr/bin/env node
import { Command, CommanderError, Option } from "commander";
import { CHANNEL_NAMES, type ChannelName } from "../alerts/notifiers/registry";
import { VERSION } from "../version";
import { registerAnalyzeCommand } from "./analyze";
import { CliError } from "./common";
import { daemonOptionsOf, withDaemonOptions } from "./daemon-options";
import { registerCompareCommand } from "./compare";
import { EXIT_USAGE } from "./exit-codes";
import { registerMonitorCommand } from "./monitor";
import { registerReportCommand } from "./report";
import { translateSeedSpelling } from "./seed-spelling";
import { registerSnapshotCommand } from "./snapshot";

/** Commander's "error: …" (and its "Did you mean" line) as one line on stderr. */
function oneLineError(message: string, write: (text: string) => void): void {
  const text = message
    .trim()
    .replace(/^error: /, "")
    .replace(/\s*\n\s*/g, " ");
  write(`memsnap: ${text} (run memsnap --help for usage)\n`);
}

/**
 * The daemon's and the notifiers' modules (koa, prom-client, systeminformation, nodemailer)
 * load only when their command runs, so that the other commands start fast.
 */
function loadServe(): typeof import("./serve") {
  return require("./serve") as typeof import("./serve");
}

function loadAlerts(): typeof import("./alerts") {
  return require("./alerts") as typeof import("./alerts");
}

function loadConfigCheck(): typeof import("./config-check") {
  return require("./config-check") as typeof import("./config-check");
}

function loadHealthcheck(): typeof import("./healthcheck") {
  return require("./healthcheck") as typeof import("./healthcheck");
}

function buildProgram(): Command {
  const program = new Command("memsnap")
    .description("The truth about a vector database's memory: Prometheus metrics, JSON snapshots, alerts.")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: oneLineError });
  withDaemonOptions(
    program.command("serve").description("run the daemon: sample on a schedule, serve /metrics and the snapshot API"),
  ).action((options: Record<string, string>) => loadServe().serve(daemonOptionsOf(options)));
  withDaemonOptions(
    program
      .command("config")
      .description("the configuration")
      .command("check")
      .description(
        "validate the configuration as serve reads it and print the effective settings, secrets hidden (exit 0 or 2)",
      ),
  ).action((options: Record<string, string>) => loadConfigCheck().configCheck(daemonOptionsOf(options)));
  withDaemonOptions(
    program
      .command("healthcheck")
      .description(
        "exit 0 when this host's daemon answers /healthz on the port, host and scheme its configuration sets",
      ),
  ).action((options: Record<string, string>) => loadHealthcheck().healthcheck(daemonOptionsOf(options)));
  program
    .command("alerts")
    .description("the built-in alerting")
    .command("test")
    .description("send one clearly marked test message on a channel, to check the alert wiring")
    .addOption(new Option("--channel <channel>", "where to send it").choices(CHANNEL_NAMES).makeOptionMandatory())
    .option("-c, --config <file>", "a .yaml or .json config file (environment variables override it)")
    .action((options: { channel: ChannelName; config?: string }) => loadAlerts().alertsTest(options));
  registerSnapshotCommand(program);
  registerAnalyzeCommand(program);
  registerCompareCommand(program);
  registerMonitorCommand(program);
  registerReportCommand(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(translateSeedSpelling(process.argv.slice(2)), { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    if (err instanceof CliError) {
      process.stderr.write(`memsnap: ${err.message}\n`);
      process.exit(EXIT_USAGE);
    }
    throw err;
  }
}

void main();
