import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const SRC = path.join(__dirname, "..", "src");

/** Node's modules that reach the disk, the network or other processes. */
const IO_MODULES = new Set(["fs", "fs/promises", "net", "http", "https", "http2", "tls", "dgram", "child_process"]);

interface Dependency {
  /** A path relative to src/ for the project's modules, else the package or built-in name. */
  module: string;
  /** Erased when compiled (`import type`, or every imported name marked `type`). */
  typeOnly: boolean;
}

/** A module of src/, or for one outside it (the page's browser code in web/), its path from the repository root. */
function resolveLocal(from: string, specifier: string): string {
  const base = path.join(path.dirname(from), specifier);
  if (base.startsWith("..")) return path.join("src", base).split(path.sep).join("/");
  const candidates = [`${base}.ts`, path.join(base, "index.ts")];
  const found = candidates.find((c) => modules.includes(c));
  if (found === undefined) throw new Error(`${from} imports ${specifier}, which is not a module of src/`);
  return found;
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  const clause = node.importClause;
  if (clause === undefined) return false;
  if (clause.phaseModifier === ts.SyntaxKind.TypeKeyword) return true;
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

/** Every module one file imports: import and export declarations, require() and import() calls. */
function dependenciesOf(file: string): Dependency[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(SRC, file), "utf8"), ts.ScriptTarget.ES2022, true);
  const found: Array<{ specifier: string; typeOnly: boolean }> = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: isTypeOnly(node) });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
      if (isRequire || node.expression.kind === ts.SyntaxKind.ImportKeyword)
        found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.map(({ specifier, typeOnly }) => ({
    module: specifier.startsWith(".") ? resolveLocal(file, specifier) : specifier.replace(/^node:/, ""),
    typeOnly,
  }));
}

const modules = readdirSync(SRC, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.split(path.sep).join("/"))
  .sort();
const graph = new Map(modules.map((m) => [m, dependenciesOf(m)]));

/** The cycles of the import graph (type-only imports included): its strongly connected parts of two or more modules. */
function cycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const connect = (m: string): void => {
    index.set(m, index.size);
    low.set(m, index.get(m)!);
    stack.push(m);
    for (const { module: next } of graph.get(m) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        connect(next);
        low.set(m, Math.min(low.get(m)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(m, Math.min(low.get(m)!, index.get(next)!));
      }
    }
    if (low.get(m) !== index.get(m)) return;
    const part: string[] = [];
    let popped: string;
    do {
      popped = stack.pop()!;
      part.push(popped);
    } while (popped !== m);
    if (part.length > 1) found.push(part.sort());
  };
  for (const m of modules) if (!index.has(m)) connect(m);
  return found;
}

/** The I/O modules `m` loads at run time, itself or through the project's modules it imports. */
function ioReachedFrom(m: string, seen = new Set<string>()): string[] {
  if (seen.has(m)) return [];
  seen.add(m);
  const reached: string[] = [];
  for (const { module: next, typeOnly } of graph.get(m) ?? []) {
    if (typeOnly) continue;
    if (IO_MODULES.has(next)) reached.push(`${m} → ${next}`);
    else if (graph.has(next)) reached.push(...ioReachedFrom(next, seen));
  }
  return reached;
}

describe("the structure of src/", () => {
  it("reads every module and its imports", () => {
    expect(modules).toEqual(expect.arrayContaining(["daemon.ts", "snapshot/build.ts", "cli/main.ts"]));
    expect(graph.get("cli/source.ts")).toEqual(
      expect.arrayContaining([{ module: "cli/local-source.ts", typeOnly: false }]),
    );
    expect(graph.get("snapshot/schema.ts")).toEqual([{ module: "zod", typeOnly: false }]);
  });

  it("has no import cycle", () => {
    expect(cycles()).toEqual([]);
  });

  it("keeps I/O out of src/snapshot/, its pure arithmetic", () => {
    const offenders = modules.filter((m) => m.startsWith("snapshot/") && ioReachedFrom(m).length > 0);
    expect(offenders).toEqual([]);
  });

  it("lets `memsnap alerts test` run without loading the daemon", () => {
    const loaded = new Set<string>();
    const walk = (m: string): void => {
      if (loaded.has(m)) return;
      loaded.add(m);
      for (const { module: next, typeOnly } of graph.get(m) ?? []) if (!typeOnly) walk(next);
    };
    walk("cli/alerts.ts");
    expect([...loaded].filter((m) => ["daemon.ts", "monitor.ts", "koa", "prom-client"].includes(m))).toEqual([]);
  });
});
