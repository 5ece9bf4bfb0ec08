/** The page's and the report's stylesheet: light and dark by prefers-color-scheme, fluid from 320 px up. */
export const PAGE_CSS = `
:root{color-scheme:light dark;--bg:#f7f7f5;--fg:#1d1d1f;--muted:#5d5d66;--card:#fff;--line:#d9d9de;--accent:#1f5fbf;
--critical:#b3261e;--warning:#8a5a00;--opportunity:#1f6f43;--ok:#1f6f43;
--p-code:#7b61c4;--p-data_files:#2f7fc1;--p-shared_memory:#19a3a3;--p-stacks:#a0a0a8;--p-collections:#3a9a4a;--p-allocator_free:#d59a1a;--p-unexplained:#d1453b;--p-other:#8d6e63;
--c-rss:#1f5fbf;--c-ws:#3a9a4a;--c-unexplained:#d1453b;--c-limit:#5d5d66}
@media (prefers-color-scheme:dark){:root{--bg:#141417;--fg:#ececf1;--muted:#a3a3ad;--card:#1e1e23;--line:#34343c;--accent:#7fb0ff;
--critical:#ff8a80;--warning:#ffcc66;--opportunity:#7ddc9b;--ok:#7ddc9b;--c-rss:#7fb0ff;--c-ws:#7ddc9b;--c-unexplained:#ff8a80;--c-limit:#a3a3ad}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:break-word}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}
header{padding-top:16px;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:baseline}
header h1{font-size:1.3rem;margin:0}
header .when{color:var(--muted)}
nav.targets{display:flex;flex-wrap:wrap;gap:6px}
nav.targets a{padding:2px 10px;border:1px solid var(--line);border-radius:999px;color:var(--fg);text-decoration:none}
nav.targets a[aria-current=page]{background:var(--accent);border-color:var(--accent);color:var(--bg)}
.live{color:var(--muted);font-size:.85rem;margin-left:auto}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:16px 0}
h2{font-size:1.1rem;margin:0 0 10px}
h3{font-size:1rem;margin:14px 0 6px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:0}
.card{border-left:4px solid var(--accent);padding:2px 10px}
.card dt{color:var(--muted);font-size:.85rem}
.card dd{margin:0;font-size:1.35rem;font-weight:600;font-variant-numeric:tabular-nums}
.card dd.note{font-size:.85rem;font-weight:400;color:var(--muted)}
.note{color:var(--muted)}
.unavailable{border-left:4px solid var(--warning);padding-left:10px}
.stacked-bar{display:block;width:100%;height:40px;border-radius:4px;overflow:hidden}
.part{fill:var(--p-other);background:var(--p-other)}
.part-code{fill:var(--p-code);background:var(--p-code)}.part-data_files{fill:var(--p-data_files);background:var(--p-data_files)}
.part-shared_memory{fill:var(--p-shared_memory);background:var(--p-shared_memory)}.part-stacks{fill:var(--p-stacks);background:var(--p-stacks)}
.part-collections{fill:var(--p-collections);background:var(--p-collections)}.part-allocator_free{fill:var(--p-allocator_free);background:var(--p-allocator_free)}
.part-unexplained{fill:var(--p-unexplained);background:var(--p-unexplained)}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:6px;vertical-align:-1px}
.within{margin:2px 0 0 1.4em;padding:0;list-style:none;color:var(--muted);font-size:.85rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85rem;color:var(--muted);font-weight:600;white-space:nowrap}
.num{text-align:right;white-space:nowrap}
td.source{color:var(--muted);font-size:.85rem}
button.sort{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending] button.sort::after{content:" ▲"}
th[aria-sort=descending] button.sort::after{content:" ▼"}
.badge{display:inline-block;white-space:nowrap;padding:0 7px;border-radius:4px;font-size:.8rem;font-weight:600;border:1px solid currentColor}
.sev-critical{color:var(--critical)}.sev-warning{color:var(--warning)}.sev-opportunity{color:var(--opportunity)}
.findings,.recommendations,.errors{padding-left:1.2em;margin:0}
.findings li,.recommendations li{margin:4px 0}
.score{font-weight:700;margin-left:8px}
.status-excellent,.status-good{color:var(--ok)}.status-fair{color:var(--warning)}.status-critical{color:var(--critical)}
.state-firing{color:var(--critical);font-weight:600}.state-pending{color:var(--warning)}
.exhaustion{color:var(--critical)}
.chart{min-height:300px;width:100%}
.chart .u-legend{font-size:.85rem}
.chart .u-legend .u-series>*{padding:2px 4px}
.up-down{font-size:.85rem}
.changed-up{color:var(--critical)}.changed-down{color:var(--ok)}
footer{color:var(--muted);font-size:.8rem;padding-bottom:24px}
@media (max-width:600px){table.stack thead{display:none}table.stack tr{display:block;border-bottom:1px solid var(--line);padding:4px 0}
table.stack td{display:inline-block;border:0;padding:1px 6px 1px 0}table.stack td.wide{display:block}
body{font-size:14px}header,main,footer{padding:0 8px}section{padding:10px;margin:10px 0}th,td{padding:4px 5px}.chart{min-height:240px}}
`;
