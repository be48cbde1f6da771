/**
 * `npm run build:web`: builds web/dist/widget.js and reports its size; fails over the budget.
 */
import path from "node:path";
import { buildWidget, GZIP_BUDGET_BYTES } from "../web/build.js";

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const built = await buildWidget();
const line = `${path.relative(process.cwd(), built.file)}: ${kb(built.bytes)} minified, ${kb(built.gzipBytes)} gzipped (budget ${kb(GZIP_BUDGET_BYTES)})`;
if (built.gzipBytes > GZIP_BUDGET_BYTES) {
  process.stderr.write(`${line}: over budget\n`);
  process.exit(1);
}
process.stdout.write(`${line}\n`);
