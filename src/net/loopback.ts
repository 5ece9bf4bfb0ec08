import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/**
 * Whether an IP address is a loopback one (127.0.0.0/8, ::1, or 127.x mapped into IPv6).
 * A host name is not an address: "127.evil.test" is not loopback, whatever it starts with.
 */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const version = isIP(bare);
  if (version === 4) return bare.startsWith("127.");
  if (version === 6) {
    const lower = bare.toLowerCase();
    if (lower === "::1" || lower === "0:0:0:0:0:0:0:1") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    return mapped?.[1].startsWith("127.") === true;
  }
  return false;
}

/** Where a host name leads: its addresses, or why it has none. */
export async function resolveHost(host: string): Promise<{ addresses: string[] } | { problem: string }> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare) !== 0) return { addresses: [bare] };
  try {
    const found = await lookup(bare, { all: true });
    return { addresses: found.map((entry) => entry.address) };
  } catch (err) {
    return { problem: `${bare} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}
