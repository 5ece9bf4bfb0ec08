import { formatBytes, formatCount, formatHours, mb, pct } from "../../src/snapshot/format";
import { MB } from "../helpers/samples";

describe("figures as findings' messages write them", () => {
  it("writes MB and percentages to 0.1", () => {
    expect(mb(1.25 * MB)).toBe("1.3 MB");
    expect(pct(12.34)).toBe("12.3 %");
  });

  it("switches from MB to GB at exactly 1024 MB, either sign", () => {
    expect(formatBytes(1023.9 * MB)).toBe("1023.9 MB");
    expect(formatBytes(1024 * MB)).toBe("1 GB");
    expect(formatBytes(1536 * MB)).toBe("1.5 GB");
    expect(formatBytes(-2048 * MB)).toBe("-2 GB");
    expect(formatBytes(-512 * MB)).toBe("-512 MB");
  });

  it("counts in units, k from 1 000 and M from 1 000 000", () => {
    expect(formatCount(999)).toBe("999");
    expect(formatCount(1_000)).toBe("1 k");
    expect(formatCount(150_000)).toBe("150 k");
    expect(formatCount(1_000_000)).toBe("1 M");
    expect(formatCount(2_450_000)).toBe("2.5 M");
  });

  it("writes a time left in hours from 1 h, in minutes below, never negative", () => {
    expect(formatHours(1)).toBe("1 h");
    expect(formatHours(1.44)).toBe("1.4 h");
    expect(formatHours(0.5)).toBe("30 min");
    expect(formatHours(59 / 60)).toBe("59 min");
    expect(formatHours(-0.2)).toBe("0 min");
  });
});
