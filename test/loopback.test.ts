import { isLoopbackAddress, resolveHost } from "../src/net/loopback";

describe("loopback by address", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.255.0.9", true],
    ["::1", true],
    ["[::1]", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.8", false],
    ["::ffff:10.0.0.8", false],
    ["127.evil.test", false],
    ["127.0.0.1.nip.io", false],
    ["localhost", false],
  ])("%s is loopback: %s", (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });

  it("resolves a name to its addresses, and says why a name has none", async () => {
    const local = await resolveHost("localhost");
    expect("addresses" in local && local.addresses.every(isLoopbackAddress)).toBe(true);
    expect(await resolveHost("127.evil.test")).toEqual({
      problem: expect.stringContaining("127.evil.test does not resolve"),
    });
  });
});
