/**
 * `npm run build:web`: builds web/dist/widget.js and the consoles (staff.js, admin.js) and
 * reports their sizes; fails when the widget is over its budget.
 */
import path from "node:path";
import { buildConsoles, buildWidget, GZIP_BUDGET_BYTES, type WidgetBuild } from "../web/build.js";

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const size = (built: WidgetBuild) =>
  `${path.relative(process.cwd(), built.file)}: ${kb(built.bytes)} minified, ${kb(built.gzipBytes)} gzipped`;

const [widget, consoles] = await Promise.all([buildWidget(), buildConsoles()]);
const line = `${size(widget)} (budget ${kb(GZIP_BUDGET_BYTES)})`;
if (widget.gzipBytes > GZIP_BUDGET_BYTES) {
  process.stderr.write(`${line}: over budget\n`);
  process.exit(1);
}
process.stdout.write(`${line}\n`);
for (const built of consoles) process.stdout.write(`${size(built)}\n`);
