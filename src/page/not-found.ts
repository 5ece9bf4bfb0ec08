import { renderDocument } from "./document";
import { html } from "./html";
import { header } from "./live-page";
import { chartData } from "./chart-data";

/** The page for a ?target= that memsnap does not watch: the ones it does, as links. */
export function renderTargetNotFound(asked: string, targets: string[]): string {
  return renderDocument({
    title: "memsnap · no such target",
    header: header("memsnap", html``),
    main: html`<section id="not-found"><h2>No target named ${JSON.stringify(asked)}</h2><p>memsnap watches: ${targets.map(
      (t, i) => html`${i > 0 ? ", " : ""}<a href="?target=${encodeURIComponent(t)}">${t}</a>`,
    )}.</p></section>`,
    chart: chartData([]),
    pollSeconds: null,
    assets: { kind: "linked", base: "/assets/" },
  });
}
