import { describe, expect, it } from "vitest";
import { chunkDocument } from "../../src/content/chunk.js";
import { type ClinicProfile, clinicProfileSchema } from "../../src/content/clinic.js";
import {
  CLINIC_PAGE_ID,
  CLINIC_PAGE_SECTIONS,
  clinicPage,
  closedDays,
  urgentCarePassage,
} from "../../src/content/clinic-page.js";

const profile = (overrides: Partial<ClinicProfile> = {}): ClinicProfile =>
  clinicProfileSchema.parse({
    name: "Lumen Skin Clinic",
    phone: "+44 20 7946 0000",
    email: "hello@clinic.example",
    address: "1 Example Street, London, EX1 1AA",
    openingHours: [
      { days: "Monday to Friday", hours: "9:00 to 18:00" },
      { days: "Saturday", hours: "10:00 to 14:00" },
    ],
    urgentCare: "Call the clinic at once if a wound weeps; call 999 in an emergency.",
    ...overrides,
  });

describe("the page generated from the clinic profile", () => {
  it("holds every fact of the profile under its own heading, citable like an article", async () => {
    const doc = clinicPage(profile());
    expect(doc).toMatchObject({ docId: CLINIC_PAGE_ID, title: "Contact and opening hours" });
    expect(doc.file).toBe("clinic.json");
    const chunks = await chunkDocument(doc);
    const section = (heading: string) =>
      chunks
        .filter((c) => c.section === heading)
        .map((c) => c.text)
        .join("\n");
    const s = CLINIC_PAGE_SECTIONS;
    expect(section(s.hours)).toContain("Monday to Friday: 9:00 to 18:00");
    expect(section(s.hours)).toContain("Saturday: 10:00 to 14:00");
    expect(section(s.hours)).toContain("Sunday: closed");
    expect(section(s.address)).toContain("1 Example Street, London, EX1 1AA");
    expect(section(s.contact)).toContain("+44 20 7946 0000");
    expect(section(s.contact)).toContain("hello@clinic.example");
    expect(section(s.urgent)).toContain("call 999 in an emergency");
    expect(chunks.find((c) => c.section === s.hours)?.url).toBe(
      `/articles/${CLINIC_PAGE_ID}#opening-hours`,
    );
  });

  it("keeps the clinic's text literal: Markdown characters in a value are not markup", async () => {
    const doc = clinicPage(profile({ name: "Skin *by* [Ana] #1", address: "<b>2</b> High St" }));
    const text = (await chunkDocument(doc)).map((c) => c.text).join("\n");
    expect(text).toContain("Skin *by* [Ana] #1");
    expect(text).toContain("<b>2</b> High St");
  });

  it("is sample content while the profile is", () => {
    expect(clinicPage(profile({ sample: true })).sample).toBe(true);
    expect(clinicPage(profile()).sample).toBe(false);
  });

  it("names the days no line of the opening hours covers, and claims nothing it cannot read", async () => {
    const hours = (...days: string[]) => closedDays(days.map((d) => ({ days: d })));
    expect(hours("Monday to Friday", "Saturday")).toEqual(["Sunday"]);
    expect(hours("Mon-Fri")).toEqual(["Saturday", "Sunday"]);
    expect(hours("Tue–Thu", "Saturday and Sunday")).toEqual(["Monday", "Friday"]);
    expect(hours("Mondays, Wednesdays & Fridays")).toEqual([
      "Tuesday",
      "Thursday",
      "Saturday",
      "Sunday",
    ]);
    expect(hours("Friday to Monday")).toEqual(["Tuesday", "Wednesday", "Thursday"]);
    expect(hours("Weekdays", "Weekends")).toEqual([]);
    expect(hours("Monday to Friday", "Bank holidays")).toBeUndefined();
    const page = clinicPage(profile({ openingHours: [{ days: "Late nights", hours: "18:00" }] }));
    const text = (await chunkDocument(page)).map((c) => c.text).join("\n");
    expect(text).not.toMatch(/: closed/);
    expect(text).toContain("At all other times the clinic is closed.");
  });

  it("gives the whole urgent-care advice when it spans several passages, citing the first", async () => {
    const advice = Array.from(
      { length: 12 },
      (_, i) =>
        `Step ${i + 1}: if the redness spreads or you feel feverish, call the clinic at once.`,
    ).join(" ");
    const chunks = await chunkDocument(clinicPage(profile({ urgentCare: advice })));
    const urgent = chunks.filter((c) => c.section === CLINIC_PAGE_SECTIONS.urgent);
    expect(urgent.length).toBeGreaterThan(1);
    const passage = urgentCarePassage(chunks);
    expect(passage?.text).toBe(advice);
    expect(passage?.chunk).toBe(urgent[0]);
    expect(urgentCarePassage(chunks.filter((c) => c.docId !== CLINIC_PAGE_ID))).toBeUndefined();
  });
});
