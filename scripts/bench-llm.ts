/**
 * `npm run bench:llm`: the generative mode against a fake OpenAI-compatible server with
 * realistic delays (first token after 300 ms, then a piece every 15 ms). Reports time to
 * the first delta, the latency verification adds, and how fast a dead model falls back.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createChatModel } from "../src/answer/llm/chat-model.js";
import { createCircuitBreaker } from "../src/answer/llm/circuit-breaker.js";
import type { AnswerDelta, ChatReply } from "../src/answer/types.js";
import { loadConfig } from "../src/config.js";
import { loadCore } from "../src/core.js";
import { passageNumber, startFakeOpenAI, tokens } from "../tests/fakes/fake-openai-server.js";
import { llmAnswererFor } from "../tests/helpers/llm-answerer.js";
import { createSentenceVerifier } from "../src/answer/llm/verifier.js";
import { runScript } from "./run-script.js";

const FIRST_TOKEN_MS = 300;
const PIECE_MS = 15;
const RUNS = 20;
/** Passages the verifier checks against, as many as a model is given at most. */
const PASSAGES = 4;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

await runScript(async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "skin-faq-bench-llm-"));
  const fake = await startFakeOpenAI();
  try {
    const core = await loadCore(loadConfig({ DATA_DIR: dataDir }), { buildIfNeeded: true });
    const answer = (request: Parameters<typeof fake.respond>[0]) =>
      `It is particularly effective for depressed acne scars such as rolling or boxcar scars [${passageNumber(request, "boxcar")}]. ` +
      `Scar tissue from acne is collagen that formed in an abnormal, fibrous pattern [${passageNumber(request, "fibrous")}].`;
    fake.respond = (request) => ({
      kind: "stream",
      pieces: tokens(answer(request), 6),
      firstDelayMs: FIRST_TOKEN_MS,
      delayMs: PIECE_MS,
    });
    const answerer = () =>
      llmAnswererFor(core, fake.baseUrl, {
        breaker: createCircuitBreaker({ failureThreshold: 1_000 }),
        timeoutMs: 5000,
      });
    const question = "Does microneedling help with acne scars?";

    async function timed(a: ReturnType<typeof answerer>) {
      const started = performance.now();
      let first = 0;
      let reply: ChatReply | undefined;
      for await (const item of a.streamAnswer({ message: question }) as AsyncGenerator<
        AnswerDelta | ChatReply
      >) {
        if ("delta" in item) first ||= performance.now() - started;
        else reply = item;
      }
      return { first, total: performance.now() - started, reply: reply as ChatReply };
    }

    // The model's own stream, consumed raw: when its first sentence is complete.
    const model = createChatModel({
      model: "fake",
      apiKey: undefined,
      baseUrl: fake.baseUrl,
      timeoutMs: 5000,
      maxTokens: 400,
    });
    const rawFirstSentence: number[] = [];
    const withVerification: number[] = [];
    const totals: number[] = [];
    let source = "";
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      let text = "";
      let firstSentence = 0;
      for await (const chunk of await model.stream(question)) {
        text += typeof chunk.content === "string" ? chunk.content : "";
        if (!firstSentence && /\]\.\s/.test(text)) firstSentence = performance.now() - started;
      }
      rawFirstSentence.push(firstSentence || performance.now() - started);
      const run = await timed(answerer());
      withVerification.push(run.first);
      totals.push(run.total);
      source = run.reply.source;
    }

    // Verification's own cost, without network noise. Each sentence a model writes is new,
    // so it is embedded once (cold); checking the same sentence again finds it cached (warm).
    // The passages' own sentences are embedded by the first check and cached after it.
    const evidence = await core.retriever.retrieve({ question });
    const verifier = createSentenceVerifier(
      core.model.embeddings,
      evidence.candidates.slice(0, PASSAGES),
      { rarity: (word) => core.model.wordRarity(word) },
    );
    const sentences = [
      "It is particularly effective for depressed acne scars such as rolling or boxcar scars [1].",
      "Scar tissue from acne is collagen that formed in an abnormal, fibrous pattern [2].",
    ];
    for (const s of sentences) await verifier.check(s);
    const coldChecks = 20;
    const coldMs: number[] = [];
    for (let i = 0; i < coldChecks; i++) {
      // A sentence no check has embedded yet: the same claim, reworded by a counter.
      const sentence = `${(sentences[i % 2] as string).replace(/ \[\d\]\.$/, "")}, as noted ${i + 1} times [${(i % 2) + 1}].`;
      const started = performance.now();
      await verifier.check(sentence);
      coldMs.push(performance.now() - started);
    }
    const checks = 2000;
    const checkStarted = performance.now();
    for (let i = 0; i < checks; i++) await verifier.check(sentences[i % 2] as string);
    const perCheckMs = (performance.now() - checkStarted) / checks;

    await fake.close();
    const down: number[] = [];
    for (let i = 0; i < 5; i++) down.push((await timed(answerer())).total);
    const opened = createCircuitBreaker({ failureThreshold: 1, openMs: 60_000 });
    opened.failure();
    const breakerOpen = llmAnswererFor(core, fake.baseUrl, { breaker: opened });
    const open: number[] = [];
    for (let i = 0; i < 5; i++) open.push((await timed(breakerOpen)).total);

    const ms = (x: number) => `${x.toFixed(1)} ms`;
    console.log(
      `# Generative mode against a fake model (${RUNS} runs; first token after ${FIRST_TOKEN_MS} ms, then a piece every ${PIECE_MS} ms)\n`,
    );
    console.log(`| figure | median |`);
    console.log(`| --- | --- |`);
    console.log(
      `| model's first sentence complete (raw stream) | ${ms(median(rawFirstSentence))} |`,
    );
    console.log(`| first verified \`chat:delta\` | ${ms(median(withVerification))} |`);
    console.log(
      `| latency added before the first delta (difference of medians; noise of a few ms) | ${ms(median(withVerification) - median(rawFirstSentence))} |`,
    );
    console.log(
      `| verifying a new sentence (embeds it; ${coldChecks} checks) | ${ms(median(coldMs))} |`,
    );
    console.log(
      `| verifying a sentence again (its embedding cached; ${checks} checks) | ${perCheckMs.toFixed(3)} ms |`,
    );
    console.log(`| whole answer (source: ${source}) | ${ms(median(totals))} |`);
    console.log(
      `| fallback when the model server is down (refused, 2 retries) | ${ms(median(down))} |`,
    );
    console.log(`| fallback with the circuit breaker open | ${ms(median(open))} |`);
  } finally {
    await fake.close().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  }
});
