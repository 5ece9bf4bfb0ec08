import { MetricsExporter } from "../src/metrics/exporter";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("the exporter's rendering", () => {
  it("renders once however many scrapes come between two changes", async () => {
    const exporter = new MetricsExporter("test");
    const rendering = jest.spyOn(exporter.registry, "metrics");
    const first = await exporter.render("prometheus");
    expect(await exporter.render("prometheus")).toBe(first);
    expect(rendering).toHaveBeenCalledTimes(1);
  });

  it("renders again, before the next scrape, each format scrapers asked for, once the figures change", async () => {
    const exporter = new MetricsExporter("test");
    const rendering = jest.spyOn(exporter.registry, "metrics");
    const before = await exporter.render("openmetrics", { gzip: true });
    exporter.invalidate();
    await nextTurn();
    expect(rendering).toHaveBeenCalledTimes(2);
    const after = await exporter.render("openmetrics", { gzip: true });
    expect(after).not.toBe(before);
    expect(rendering).toHaveBeenCalledTimes(2);
    expect((await after.gzip()).length).toBeGreaterThan(0);
  });

  it("renders nothing ahead before any scraper has asked", async () => {
    const exporter = new MetricsExporter("test");
    const rendering = jest.spyOn(exporter.registry, "metrics");
    exporter.invalidate();
    await nextTurn();
    expect(rendering).not.toHaveBeenCalled();
  });
});
