import { describe, expect, it } from "vitest";
import { expectedAnswerTypes, holdsAnswerTypes } from "../../src/retrieval/answer-type.js";

describe("expectedAnswerTypes", () => {
  it.each([
    ["how much is a session?", ["price"]],
    ["What does microneedling cost?", ["price"]],
    ["is it covered by my insurance?", ["price"]],
    ["how long does the redness last?", ["duration"]],
    ["how soon can I wear makeup again?", ["duration"]],
    ["how many weeks until I see results?", ["duration"]],
    ["how old do you have to be for a peel?", ["age"]],
    ["is there a minimum age for microneedling?", ["age"]],
    ["how many sessions will I need?", ["count"]],
  ])("reads %j as asking for %j", (question, types) => {
    expect(expectedAnswerTypes(question)).toEqual(types);
  });

  it("finds every type a question asks for", () => {
    expect(expectedAnswerTypes("how much does it cost and how long does it take?")).toEqual([
      "price",
      "duration",
    ]);
  });

  it.each([
    "Does microneedling help with acne scars?",
    "how much sunscreen should I use?",
    "what happens at a consultation?",
  ])("expects no particular type of answer for %j", (question) => {
    expect(expectedAnswerTypes(question)).toEqual([]);
  });
});

describe("holdsAnswerTypes", () => {
  it("finds a price in amounts and in words about fees and payment", () => {
    expect(holdsAnswerTypes(["price"], "A session is £250.")).toBe(true);
    expect(holdsAnswerTypes(["price"], "The first consultation is free.")).toBe(true);
    expect(holdsAnswerTypes(["price"], "We take payment by card.")).toBe(true);
    expect(holdsAnswerTypes(["price"], "Sessions take place four weeks apart.")).toBe(false);
  });

  it("finds a duration in numbers of days or weeks and in words like 'within'", () => {
    expect(holdsAnswerTypes(["duration"], "Redness fades in two to three days.")).toBe(true);
    expect(holdsAnswerTypes(["duration"], "Most swelling settles within a day.")).toBe(true);
    expect(holdsAnswerTypes(["duration"], "Redness is common and fades.")).toBe(false);
  });

  it("finds an age in ages and in words for age groups", () => {
    expect(holdsAnswerTypes(["age"], "Clients must be 18 years old or over.")).toBe(true);
    expect(holdsAnswerTypes(["age"], "The treatment is for adults.")).toBe(true);
    expect(holdsAnswerTypes(["age"], "The treatment suits most skin types.")).toBe(false);
  });

  it("finds a count in numbers and words like 'several'", () => {
    expect(holdsAnswerTypes(["count"], "Most people need three sessions.")).toBe(true);
    expect(holdsAnswerTypes(["count"], "Several sessions give the best results.")).toBe(true);
    expect(holdsAnswerTypes(["count"], "Results vary from person to person.")).toBe(false);
  });

  it("needs every type asked for, and holds when none is asked for", () => {
    const text = "A session is £250.";
    expect(holdsAnswerTypes(["price", "duration"], text)).toBe(false);
    expect(holdsAnswerTypes(["price", "duration"], `${text} It takes 45 minutes.`)).toBe(true);
    expect(holdsAnswerTypes([], "Anything at all.")).toBe(true);
  });
});
