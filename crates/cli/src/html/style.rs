//! The page's stylesheet: screen and A4 print, system fonts only.

pub(super) const CSS: &str = r#":root {
  --ink: #1b1b1b; --muted: #5a5a5a; --rule: #cfcfcf; --soft: #f3f3f0; --accent: #1f4e79;
  --sans: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif;
  --serif: Georgia, "Times New Roman", "Liberation Serif", "DejaVu Serif", serif;
  --mono: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
html { font-size: 16px; -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font-family: var(--sans); line-height: 1.5; }
.masthead, main, footer { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
.masthead { padding-top: 28px; border-bottom: 3px solid var(--ink); }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .78rem; color: var(--muted); margin: 0 0 6px; }
h1 { font-family: var(--serif); font-size: 2.3rem; line-height: 1.15; margin: 0 0 14px; }
h2 { font-family: var(--serif); font-size: 1.6rem; margin: 44px 0 10px; padding-top: 10px; border-top: 1px solid var(--rule); }
h2 .num { display: inline-block; min-width: 1.6em; color: var(--muted); }
h3 { font-size: 1.1rem; margin: 24px 0 8px; }
p { max-width: 46em; margin: 0 0 12px; }
.lede { font-family: var(--serif); font-size: 1.18rem; line-height: 1.55; }
.note, .muted { color: var(--muted); font-size: .9rem; }
a { color: var(--accent); }
code, .mono { font-family: var(--mono); font-size: .88em; }
.hash { word-break: break-all; }
.nowrap { white-space: nowrap; }
.figures { list-style: none; display: flex; flex-wrap: wrap; gap: 12px; padding: 0; margin: 20px 0; }
.figures li { flex: 1 1 200px; border-top: 4px solid var(--ink); background: var(--soft); padding: 10px 14px 12px; }
.figures .n { display: block; font-family: var(--serif); font-size: 2.2rem; font-weight: bold; line-height: 1.1; }
.figures .n small { font-size: 1.2rem; font-weight: normal; color: var(--muted); }
.figures .l { display: block; font-size: .88rem; color: var(--muted); }
dl.basis { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: .9rem; margin: 0 0 16px; }
dl.basis dt { font-weight: bold; }
dl.basis dd { margin: 0; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 20px; padding: 0 0 14px 1.2em; margin: 0; font-size: .95rem; }
figure.chart { margin: 16px 0 20px; }
svg.chart { display: block; width: 100%; height: auto; font-family: var(--sans); }
svg.chart .tick { font-size: 12px; fill: var(--muted); }
svg.chart .label { font-size: 12.5px; fill: var(--ink); }
svg.chart .label.missing { font-style: italic; fill: var(--muted); }
svg.chart .value { font-size: 13px; font-weight: bold; fill: var(--ink); }
svg.chart .value.big { font-size: 16px; }
svg.chart .axis-title { font-size: 12px; fill: var(--muted); }
svg.chart .row-label { font-size: 14px; font-weight: bold; font-family: var(--mono); fill: var(--ink); }
svg.chart .row-label.small { font-size: 12px; font-weight: normal; }
svg.legend { vertical-align: -2px; margin-right: 3px; }
figcaption { font-size: .88rem; color: var(--muted); margin-top: 6px; }
figcaption .key { color: var(--ink); margin-right: 14px; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 18px; font-size: .88rem; }
caption { text-align: left; font-weight: bold; font-size: .95rem; padding: 6px 0; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--rule); }
thead th { border-bottom: 2px solid var(--ink); font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
tbody th { font-weight: bold; }
table.data tbody tr:nth-child(even) { background: #f7f7f5; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
td.date { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.why { font-size: .82rem; color: var(--muted); min-width: 18em; overflow-wrap: anywhere; }
td.text { overflow-wrap: anywhere; }
td.seq { white-space: nowrap; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
table.counts { width: auto; min-width: 24em; }
table.kv { width: auto; max-width: 100%; }
table.kv th { width: 16em; }
tr.f-breach td, tr.f-breach th, tr.st-missed td, tr.st-missed th { font-weight: bold; }
ol.sources { font-size: .82rem; color: var(--muted); padding-left: 1.8em; word-break: break-word; }
ul.keys { font-size: .88rem; }
.checkpoint { border: 2px solid var(--ink); padding: 4px 18px 8px; margin: 18px 0; }
.checkpoint.none { border-style: dashed; }
ul.checks { list-style: none; padding: 0; }
ul.checks li { margin: 3px 0; }
ul.checks li.fail { font-weight: bold; }
pre { font-family: var(--mono); font-size: .82rem; background: var(--soft); padding: 10px 14px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
pre .c { color: var(--muted); }
footer { border-top: 1px solid var(--rule); margin-top: 40px; padding-top: 10px; padding-bottom: 40px; font-size: .82rem; color: var(--muted); }
@media (max-width: 640px) {
  h1 { font-size: 1.7rem; }
  table { font-size: .8rem; }
  th, td { padding: 4px 4px; }
}
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  html { font-size: 10pt; }
  body { background: #fff; }
  .masthead, main, footer { max-width: none; padding: 0; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; page-break-after: avoid; margin-top: 18pt; }
  h3, caption { break-after: avoid; page-break-after: avoid; }
  figure, .checkpoint, table.kv, tr, .figures li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  table.data tbody tr:nth-child(even) { background: none; }
  .figures li { flex: 1 1 0; background: none; border: 1px solid var(--ink); border-top-width: 3pt; }
  pre { background: none; border: 1px solid var(--rule); }
}
"#;
