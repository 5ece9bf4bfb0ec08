import path from "node:path";
import { runCli } from "./helpers/cli";

const SEED_QUANTIZATION_ENABLED = path.join(__dirname, "fixtures/seed-quantization-enabled.json");

describe("seed-shaped files that say per collection whether it is quantized", () => {
  it("memsnap analyze reports 12 of 25 quantized (48 %), raises LowQuantizationCoverage, and recommends nothing for the quantized ones", () => {
    const result = runCli(["analyze", SEED_QUANTIZATION_ENABLED, "--json"]);
    expect(result.stderr).toBe("");
    const snapshot = JSON.parse(result.stdout);
    expect(snapshot.collections_info).toMatchObject({
      total_collections: 25,
      quantized_collections: 12,
      quantization_coverage_percent: 48,
    });
    expect(snapshot.findings.map((f: { code: string }) => f.code)).toContain("LowQuantizationCoverage");
    const quantized = snapshot.collections_info.collections_detail.filter((c: { quantized: boolean }) => c.quantized);
    expect(quantized).toHaveLength(12);
    const recommended = snapshot.findings
      .filter((f: { code: string }) => f.code === "EnableQuantization")
      .map((f: { collection: string }) => f.collection);
    expect(recommended).toHaveLength(13);
    for (const c of quantized) {
      expect(recommended).not.toContain(c.name);
      expect(snapshot.recommendations.filter((r: string) => r.includes(`\`${c.name}\``))).toEqual([]);
    }
  });
});
