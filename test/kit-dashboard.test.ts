import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { allPanels, dashboardQueries, loadDashboard, variableQuery } from "./kit/queries";
import { runTool } from "./kit/tools";

const GRID_COLUMNS = 24;

describe("Grafana dashboard", () => {
  const dashboard = loadDashboard();
  const panels = allPanels(dashboard);

  it("gives every panel its own id", () => {
    const ids = panels.map((panel) => panel.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it("places every panel inside the 24-column grid", () => {
    const misplaced = panels
      .filter(
        ({ gridPos: { x, y, w, h } }) =>
          [x, y, w, h].some((n) => !Number.isInteger(n)) || x < 0 || y < 0 || w < 1 || h < 1 || x + w > GRID_COLUMNS,
      )
      .map((panel) => `${panel.id} ${JSON.stringify(panel.gridPos)}`);
    expect(misplaced).toEqual([]);
  });

  it("lets no two panels overlap", () => {
    const overlaps: string[] = [];
    panels.forEach((a, i) =>
      panels.slice(i + 1).forEach((b) => {
        const apart =
          a.gridPos.x + a.gridPos.w <= b.gridPos.x ||
          b.gridPos.x + b.gridPos.w <= a.gridPos.x ||
          a.gridPos.y + a.gridPos.h <= b.gridPos.y ||
          b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        if (!apart) overlaps.push(`${a.id} "${a.title}" and ${b.id} "${b.title}"`);
      }),
    );
    expect(overlaps).toEqual([]);
  });

  it("asks for its data source through the datasource variable, everywhere", () => {
    const variable = dashboard.templating.list.find((v) => v.name === "datasource");
    expect(variable).toMatchObject({ type: "datasource", query: "prometheus" });
    const refs = [
      ...panels.flatMap((panel) => [panel.datasource, ...panel.targets.map((target) => target.datasource)]),
      ...dashboard.templating.list.filter((v) => v.type === "query").map((v) => v.datasource),
    ];
    expect(refs.filter((ref) => ref?.uid !== "${datasource}")).toEqual([]);
  });

  it("offers a target variable drawn from memsnap's own series", () => {
    const variable = dashboard.templating.list.find((v) => v.name === "target");
    expect(variable?.type).toBe("query");
    expect(variableQuery(variable ?? { name: "", type: "" })).toMatch(
      /^label_values\((memsnap_target_up|memsnap_build_info)\b.*, target\)$/,
    );
  });

  it("charts running out of memory: the working set against its limit, the time left, OOM kills and restarts", () => {
    const exprs = dashboardQueries(dashboard).map(({ expr }) => expr);
    for (const metric of [
      "memsnap_memory_working_set_bytes",
      "memsnap_memory_limit_bytes",
      "memsnap_cgroup_oom_kills_total",
      "memsnap_target_restarts_total",
    ]) {
      expect([metric, exprs.some((expr) => expr.includes(metric))]).toEqual([metric, true]);
    }
    expect(exprs.some((expr) => /deriv\(memsnap_memory_working_set_bytes\{[^}]*\}\[30m\]\)/.test(expr))).toBe(true);
    expect(exprs.filter((expr) => expr.includes("memsnap_cgroup_memory_usage_bytes"))).toEqual([]);
  });

  it("shows every code's alert series, quiet as well as firing, so a missing series stands out", () => {
    const timelines = panels.filter((panel) =>
      panel.targets.some((target) => /^memsnap_alert_firing\{[^}]*\}$/.test(target.expr)),
    );
    expect(timelines.map((panel) => panel.type)).toEqual(["state-timeline"]);
  });

  it("queries in PromQL that Prometheus parses", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "memsnap-dashboard-"));
    try {
      const queries = dashboardQueries(dashboard);
      const rules = queries.map(({ expr }, index) => ({ record: `dashboard_query_${index}`, expr }));
      const file = path.join(folder, "dashboard-queries.yml");
      writeFileSync(file, stringify({ groups: [{ name: "dashboard", rules }] }));
      const { code, output } = await runTool("promtool", ["check", "rules", file]);
      expect(output).toContain(`SUCCESS: ${queries.length} rules found`);
      expect(code).toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
