import { startTestDaemon, untilReady, type TestDaemon } from "./helpers/daemon";
import { dashboardQueries, memsnapMetricNames, ruleQueries } from "./kit/queries";

/** Every metric name in an exposition, from its HELP and TYPE lines and its samples. */
function exposedNames(exposition: string): Set<string> {
  const names = exposition
    .split("\n")
    .map((line) => /^(?:# (?:HELP|TYPE) )?([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  return new Set(names);
}

describe("the metric names the dashboard and the rules read", () => {
  const used = new Map<string, string[]>();
  for (const { where, expr } of [...dashboardQueries(), ...ruleQueries()]) {
    for (const name of memsnapMetricNames(expr)) used.set(name, [...(used.get(name) ?? []), where]);
  }

  let daemon: TestDaemon;
  let exposed: Set<string>;

  beforeAll(async () => {
    daemon = await startTestDaemon();
    await untilReady(daemon);
    exposed = exposedNames(await (await fetch(`${daemon.url}/metrics`)).text());
  });

  afterAll(() => daemon?.stop());

  it("are all exported by a running daemon, so that no panel or rule is left without data", () => {
    const missing = [...used]
      .filter(([name]) => !exposed.has(name))
      .map(([name, where]) => `${name} (${where.join("; ")})`);
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(0);
  });
});
