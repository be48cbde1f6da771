// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import type { ApiResult } from "../../web/widget/api.js";
import {
  checkRequest,
  createRequestForm,
  mapFieldErrors,
  type RequestValues,
  requestBody,
} from "../../web/widget/forms.js";
import { flush } from "./fakes.js";

const VALUES: RequestValues = {
  name: " Jane Doe ",
  email: "jane@example.com",
  phone: "",
  treatment: "Microneedling",
  preferredTime: "",
  consent: true,
};

describe("mapFieldErrors", () => {
  it("puts the service's messages on the form's fields", () => {
    expect(
      mapFieldErrors(
        {
          email: "Please enter a valid email address",
          phone: "Please give an email address or a phone number",
          consent: "Please agree so that we can contact you",
        },
        "consultation",
      ),
    ).toEqual({
      byField: {
        email: "Please enter a valid email address",
        phone: "Please give an email address or a phone number",
        consent: "Please agree so that we can contact you",
      },
    });
  });

  it("replaces generic validator text and fields the form does not have with polite sentences", () => {
    const mapped = mapFieldErrors(
      {
        name: "Too big: expected string to have <=100 characters",
        treatment: "Please shorten it",
        body: "Invalid input",
      },
      "callback",
    );
    expect(mapped.byField).toEqual({ name: "Please tell us your name" });
    expect(mapped.general).toBe("Please check the form and try again.");
  });
});

describe("checkRequest and requestBody", () => {
  it("asks for a name, an email or phone, and consent before sending", () => {
    expect(checkRequest({ ...VALUES, name: " ", email: "", phone: "", consent: false })).toEqual({
      name: "Please tell us your name",
      email: "Please give an email address or a phone number",
      phone: "Please give an email address or a phone number",
      consent: "Please agree so that we can contact you",
    });
    expect(checkRequest(VALUES)).toEqual({});
  });

  it("builds the booking body, leaving blank fields out", () => {
    expect(requestBody("consultation", VALUES, "S".repeat(22))).toEqual({
      type: "consultation",
      sessionId: "S".repeat(22),
      name: "Jane Doe",
      email: "jane@example.com",
      treatment: "Microneedling",
      consent: true,
    });
    expect(requestBody("callback", VALUES, undefined)).toEqual({
      type: "callback",
      name: "Jane Doe",
      email: "jane@example.com",
      consent: true,
    });
  });

  it("names the reply that offered the form, with its conversation only", () => {
    expect(requestBody("callback", VALUES, "S".repeat(22), "m1")).toMatchObject({
      sessionId: "S".repeat(22),
      messageId: "m1",
    });
    expect(requestBody("callback", VALUES, undefined, "m1")).not.toHaveProperty("messageId");
  });
});

describe("request form", () => {
  function mount(results: ApiResult<{ id: string }>[]) {
    const submitted: RequestValues[] = [];
    let sent = 0;
    const form = createRequestForm({
      kind: "consultation",
      clinicName: "Lumen Skin Clinic",
      privacyUrl: "https://clinic.example/privacy",
      submit: (values) => {
        submitted.push(values);
        return Promise.resolve(results.shift() ?? { ok: true, value: { id: "b1" } });
      },
      onSent: () => void (sent += 1),
    });
    const container = document.createElement("div");
    container.appendChild(form);
    document.body.replaceChildren(container);
    const field = (label: string) => {
      const labelEl = [...container.querySelectorAll("label")].find((l) =>
        l.textContent?.startsWith(label),
      );
      return container.querySelector(`#${labelEl?.getAttribute("for")}`) as HTMLInputElement;
    };
    const submit = async () => {
      form.dispatchEvent(new Event("submit", { cancelable: true }));
      await flush();
    };
    return { container, form, field, submit, submitted, sent: () => sent };
  }

  it("has a labelled field for name, email, phone, treatment, preferred time and consent", () => {
    const { field } = mount([]);
    for (const label of ["Your name", "Email", "Phone", "Treatment", "Preferred day", "I agree"]) {
      expect(field(label), label).toBeTruthy();
    }
    expect(field("I agree").type).toBe("checkbox");
  });

  it("shows missing fields in place without sending", async () => {
    const { field, submit, submitted } = mount([]);
    await submit();
    expect(submitted).toHaveLength(0);
    const name = field("Your name");
    expect(name.getAttribute("aria-invalid")).toBe("true");
    const described = name.getAttribute("aria-describedby") ?? "";
    expect(document.getElementById(described)?.textContent).toBe("Please tell us your name");
    expect(document.activeElement).toBe(name);
  });

  it("shows the service's field errors in place, then a confirmation once stored", async () => {
    const { container, field, submit, submitted, sent } = mount([
      {
        ok: false,
        status: 400,
        code: "invalid",
        fields: { email: "Please enter a valid email address" },
      },
    ]);
    field("Your name").value = "Jane";
    field("Email").value = "jane@";
    field("I agree").checked = true;
    await submit();
    expect(submitted).toHaveLength(1);
    const email = field("Email");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    const ids = (email.getAttribute("aria-describedby") ?? "").split(" ");
    expect(ids.map((id) => document.getElementById(id)?.textContent)).toContain(
      "Please enter a valid email address",
    );
    expect(field("Your name").getAttribute("aria-invalid")).toBeNull();

    email.value = "jane@example.com";
    await submit();
    expect(submitted).toHaveLength(2);
    expect(container.querySelector("form")).toBeNull();
    const confirmation = container.querySelector('[role="status"]');
    expect(confirmation?.textContent).toMatch(
      /Thank you, Jane\. Your booking request has been sent/,
    );
    expect(sent()).toBe(1);
  });

  it("says a rate limit or failure politely at the form", async () => {
    const { container, field, submit } = mount([
      { ok: false, status: 429, code: "rate_limited" },
      { ok: false, status: 500, code: "internal" },
    ]);
    field("Your name").value = "Jane";
    field("Phone").value = "+44 20 7946 0000";
    field("I agree").checked = true;
    await submit();
    const alert = container.querySelector('[role="alert"]');
    expect(alert?.textContent).toMatch(/wait a moment/);
    await submit();
    expect(alert?.textContent).toMatch(/Sorry, something went wrong on our side/);
  });
});
