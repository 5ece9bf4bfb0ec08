import { Allocator } from "./allocator";
import { FakeVectorizer, uniqueProcessName } from "./fake-database";

/**
 * A database whose collections have byte figures (one synthetic collection of 800 bytes) and
 * whose process is an allocator holding what the test asks: nearly all its resident memory is
 * unaccounted, which UnaccountedMemoryCritical judges only on a target with collection figures.
 */
export class HeldMemoryDatabase {
  private constructor(
    readonly allocator: Allocator,
    readonly database: FakeVectorizer,
  ) {}

  static async start(heldMb = 0): Promise<HeldMemoryDatabase> {
    const [allocator, database] = await Promise.all([
      Allocator.start(),
      FakeVectorizer.start(uniqueProcessName(), 0, 1),
    ]);
    if (heldMb > 0) await allocator.allocate(heldMb);
    return new HeldMemoryDatabase(allocator, database);
  }

  /** The target as a configuration file's entry. */
  target(name: string): { name: string; kind: "vectorizer"; url: string; pid: number } {
    return { name, kind: "vectorizer", url: this.database.url, pid: this.allocator.pid };
  }

  /** The target as MEMSNAP_TARGET* environment variables. */
  env(name: string): Record<string, string> {
    return {
      MEMSNAP_TARGET: "vectorizer",
      MEMSNAP_TARGET_NAME: name,
      MEMSNAP_TARGET_URL: this.database.url,
      MEMSNAP_TARGET_PID: String(this.allocator.pid),
    };
  }

  async stop(): Promise<void> {
    await Promise.all([this.allocator.stop(), this.database.kill()]);
  }
}

/** An overhead floor above what the tests hold: OverheadCritical and OverheadHigh stay quiet, so UnaccountedMemoryCritical alone fires. */
export const QUIET_OVERHEAD_MIN_MB = 1000;
