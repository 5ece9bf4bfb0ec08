import { z } from "zod";
import { loadAlertingRules, readRepoText } from "./repo";

const DASHBOARD_FILE = "grafana/dashboards/memsnap.json";

const DataSourceRefSchema = z.object({ type: z.string().optional(), uid: z.string() });

const GridPosSchema = z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() });

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: z.infer<typeof GridPosSchema>;
  datasource?: z.infer<typeof DataSourceRefSchema> | undefined;
  targets: Array<{ refId: string; expr: string; datasource?: z.infer<typeof DataSourceRefSchema> | undefined }>;
  panels: Panel[];
}

const PanelSchema: z.ZodType<Panel> = z.lazy(() =>
  z.object({
    id: z.number(),
    type: z.string(),
    title: z.string(),
    gridPos: GridPosSchema,
    datasource: DataSourceRefSchema.optional(),
    targets: z
      .array(z.object({ refId: z.string(), expr: z.string(), datasource: DataSourceRefSchema.optional() }))
      .default([]),
    panels: z.array(PanelSchema).default([]),
  }),
);

const VariableSchema = z.object({
  name: z.string(),
  type: z.string(),
  query: z.union([z.string(), z.object({ query: z.string() })]).optional(),
  datasource: DataSourceRefSchema.optional(),
});

const DashboardSchema = z.object({
  schemaVersion: z.number(),
  uid: z.string(),
  title: z.string(),
  panels: z.array(PanelSchema),
  templating: z.object({ list: z.array(VariableSchema) }),
});
type Dashboard = z.infer<typeof DashboardSchema>;
type Variable = z.infer<typeof VariableSchema>;

export function loadDashboard(): Dashboard {
  return DashboardSchema.parse(JSON.parse(readRepoText(DASHBOARD_FILE)));
}

/** Every panel, with the panels of rows. */
export function allPanels(dashboard: Dashboard): Panel[] {
  const flatten = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...flatten(panel.panels)]);
  return flatten(dashboard.panels);
}

export function variableQuery(variable: Variable): string {
  return typeof variable.query === "object" ? variable.query.query : (variable.query ?? "");
}

/** A PromQL query of the kit, and where it is written. */
interface KitQuery {
  where: string;
  expr: string;
}

/**
 * The dashboard's queries, as PromQL Prometheus can run: variables become match-anything regexps
 * and `$__rate_interval` a minute; `label_values(SELECTOR, label)` becomes its selector.
 */
export function dashboardQueries(dashboard: Dashboard = loadDashboard()): KitQuery[] {
  const fromPanels = allPanels(dashboard).flatMap((panel) =>
    panel.targets.map((target) => ({
      where: `panel ${panel.id} "${panel.title}" query ${target.refId}`,
      expr: target.expr,
    })),
  );
  const fromVariables = dashboard.templating.list
    .filter((variable) => variable.type === "query")
    .map((variable) => ({
      where: `variable ${variable.name}`,
      expr: variableQuery(variable).replace(/^label_values\((.*),\s*\w+\)$/s, "$1"),
    }));
  return [...fromPanels, ...fromVariables].map(({ where, expr }) => ({
    where,
    expr: expr.replace(/\$__rate_interval|\$__interval/g, "1m").replace(/\$\{?\w+\}?/g, ".*"),
  }));
}

export function ruleQueries(): KitQuery[] {
  return loadAlertingRules().map((rule) => ({ where: `rule ${rule.alert}`, expr: rule.expr }));
}

/** The memsnap_ metric names a PromQL expression reads. */
export function memsnapMetricNames(expr: string): string[] {
  return [...new Set(expr.match(/\bmemsnap_\w+/g) ?? [])];
}
