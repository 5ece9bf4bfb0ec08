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
      .filter(({ gridPos: { x, y, w, h } }) =>
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
