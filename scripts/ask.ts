/** `npm run ask -- "question"`: answers one question from the command line, with sources. */
import { loadConfig, loadDotEnv } from "../src/config.js";
import { loadCore } from "../src/core.js";
import { AppError } from "../src/errors.js";
import { runScript } from "./run-script.js";

await runScript(async () => {
  const question = process.argv.slice(2).join(" ").trim();
  if (!question) throw new AppError("invalid", 'usage: npm run ask -- "your question"');
  loadDotEnv();
  const core = await loadCore(loadConfig(process.env), { buildIfNeeded: true });
  if (core.rebuilt) console.error(`(built the index first: ${core.rebuilt.reason})\n`);
  const reply = await core.answerer.answerQuestion({ message: question });
  console.log(reply.answer);
  if (reply.handoff) console.log(`\n→ ${reply.handoff.kind}: ${reply.handoff.message}`);
  if (reply.citations.length > 0) {
    console.log("\nSources:");
    for (const c of reply.citations)
      console.log(`  [${c.n}] ${c.title} › ${c.section}\n      ${c.url}`);
  }
  if (!reply.grounded) console.log("\n(not grounded in the articles)");
});
