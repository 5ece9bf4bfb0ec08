import { createCollectionSource } from "../sources/collections/registry";
import type { TargetKind } from "../sources/target";
import { launchDemo } from "./launcher";

/** The embedded demo vector store: memsnap runs it as a child process and watches it like a database. */
export const DemoTarget: TargetKind = {
  async start(config) {
    const demo = await launchDemo(config.scale);
    return {
      name: config.name,
      kind: config.kind,
      url: demo.url,
      collections: createCollectionSource(config, demo.url),
      pid: () => demo.pid,
      stop: () => demo.stop(),
    };
  },
};
