extension PageAssets {
    static let styleCSS = #"""
:root { --fg: #1d2330; --muted: #5b6475; --accent: #2a6df4; --bg: #f6f7fb; --card: #fff; --bad: #b3261e; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }  /* `display: flex` rules must not un-hide elements */
body { margin: 0; font: 16px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 1rem; }
header h1 { margin: 1rem 0 0; font-size: 1.6rem; }
header p, footer p { color: var(--muted); margin: .25rem 0 1rem; }
.inputs { display: grid; grid-template-columns: 2fr 1fr; gap: 1rem; }
@media (max-width: 700px) { .inputs { grid-template-columns: 1fr; } }
.drop { border: 2px dashed #9aa4b8; border-radius: 12px; background: var(--card); padding: 1.2rem; text-align: center; }
.drop.over { border-color: var(--accent); background: #eef3ff; }
.drop p { margin: .4rem 0; }
.drop input[type=file] { position: absolute; left: -9999px; }
.reference { background: var(--card); border-radius: 12px; padding: 1rem; border: 1px solid #dde2ec; }
.reference label { display: block; margin-bottom: .5rem; color: var(--muted); }
.hint { color: var(--muted); font-size: .9rem; }
.button { display: inline-block; padding: .45rem .9rem; border-radius: 8px; background: var(--accent); color: #fff;
  text-decoration: none; cursor: pointer; border: 0; font: inherit; }
.button:focus-visible, .drop:focus-visible { outline: 3px solid #9bb8ff; }
.progress { display: flex; gap: .75rem; align-items: center; margin: 1rem 0; }
.progress progress { width: 260px; height: 1rem; }
.message { margin: 1rem 0; padding: .75rem 1rem; border-radius: 8px; background: #fde8e7; color: var(--bad); }
.result { margin: 1rem 0 2rem; }
.toolbar { display: flex; flex-wrap: wrap; gap: 1.2rem; align-items: center; margin-bottom: .6rem; }
.toolbar input[type=range] { vertical-align: middle; width: 180px; }
.viewport { overflow: auto; max-height: 75vh; background: #20242c; border-radius: 8px; }
.stage { position: relative; margin: 0 auto; user-select: none; touch-action: pan-x pan-y; cursor: ew-resize; }
.stage img { display: block; width: 100%; height: auto; }
.stage.pixelated img { image-rendering: pixelated; }
.clip-layer { position: absolute; inset: 0; clip-path: inset(0 0 0 50%); }
.divider { position: absolute; top: 0; bottom: 0; left: 50%; width: 2px; margin-left: -1px; background: #fff;
  box-shadow: 0 0 4px rgba(0,0,0,.6); pointer-events: none; }
.legend { display: flex; justify-content: space-between; color: var(--muted); margin: .3rem 0; }
.stats { color: var(--muted); }
.stage video { display: block; width: 100%; height: auto; }
.stage .clip-layer video { height: 100%; object-fit: fill; }  /* the input layer matches the result's box */
.metrics { border-collapse: collapse; background: var(--card); }
.metrics th, .metrics td { border: 1px solid #dde2ec; padding: .35rem .7rem; text-align: right; }
.metrics td:first-child, .metrics th:first-child { text-align: left; }
"""#
}
