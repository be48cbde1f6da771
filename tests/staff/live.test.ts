import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChatSendAck } from "../../src/chat/events.js";
import type { Core } from "../../src/core.js";
import { createStaffSessions, SESSION_TTL_MS } from "../../src/staff/session.js";
import { tempDir } from "../helpers/core-fixtures.js";
import {
  postJson,
  STAFF_TOKEN,
  startTestService,
  TEST_SESSION_SECRET,
  TEST_STAFF_ACCOUNTS,
  type TestService,
} from "../helpers/service.js";
import { shippedCore } from "../helpers/shipped-core.js";
import { connectStaff, nextEvent, signIn, type StaffSocket } from "./staff-fixtures.js";

let core: Core;
let removeCore: () => Promise<void>;
beforeAll(async () => {
  ({ core, cleanup: removeCore } = await shippedCore());
});
afterAll(() => removeCore());

let service: TestService;
let cleanup: () => Promise<void>;
const sockets: StaffSocket[] = [];
beforeEach(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  service = await startTestService({ core, dataDir: temp.dir });
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await service.close();
  await cleanup();
});

async function staffSocket(options: Parameters<typeof connectStaff>[1]): Promise<StaffSocket> {
  const socket = await connectStaff(service, options);
  sockets.push(socket);
  return socket;
}

describe("the /staff namespace", () => {
  it("refuses a connection without credentials, with a wrong token or a forged cookie", async () => {
    await expect(connectStaff(service)).rejects.toThrow("unauthorized");
    await expect(connectStaff(service, { token: "not-a-staff-token" })).rejects.toThrow(
      "unauthorized",
    );
    const cookie = await signIn(service);
    await expect(connectStaff(service, { cookie: `${cookie}x` })).rejects.toThrow("unauthorized");
  });

  it("refuses a staff cookie sent from another origin, even one allowed to embed the chat", async () => {
    const temp = await tempDir();
    const site = await startTestService({
      core,
      dataDir: temp.dir,
      allowedOrigins: ["https://clinic.example"],
    });
    try {
      const cookie = await signIn(site);
      // The clinic's website may use the visitor chat, but not a staff member's session.
      await expect(
        connectStaff(site, { cookie, origin: "https://clinic.example" }),
      ).rejects.toThrow("unauthorized");
      const own = await connectStaff(site, { cookie, origin: site.url });
      expect(own.connected).toBe(true);
      own.close();
    } finally {
      await site.close();
      await temp.cleanup();
    }
  });

  it("disconnects a cookie session's socket when the session expires", async () => {
    const sessions = createStaffSessions({
      secret: TEST_SESSION_SECRET,
      accounts: TEST_STAFF_ACCOUNTS,
      secure: false,
      // Signed almost 12 hours ago: 300 ms left.
      now: () => new Date(Date.now() - SESSION_TTL_MS + 300),
    });
    const cookie = sessions.signIn("alex").setCookie.split(";")[0] ?? "";
    const socket = await staffSocket({ cookie });
    const reason = await new Promise<string>((resolve) => socket.once("disconnect", resolve));
    expect(reason).toBe("io server disconnect");
  });

  it("tells a staff token's client about a new booking, without the visitor's details", async () => {
    const socket = await staffSocket({ token: STAFF_TOKEN });
    const notice = nextEvent(socket, "booking:new");
    const created = await postJson(`${service.url}/api/bookings`, {
      type: "callback",
      name: "Jane Doe",
      phone: "07700 900123",
      consent: true,
    });
    expect(created.status).toBe(201);
    const event = await notice;
    expect(Object.keys(event).sort()).toEqual(["createdAt", "id", "type"]);
    expect(event).toMatchObject({ id: created.body.id, type: "callback" });
    expect(JSON.stringify(event)).not.toMatch(/Jane|07700/);
  });

  it("tells a signed-in console about clinician and staff handoffs, from HTTP and socket chat, with no message text", async () => {
    const socket = await staffSocket({ cookie: await signIn(service) });
    const handoffs: unknown[] = [];
    socket.on("handoff:new", (event) => handoffs.push(event));

    const clinician = nextEvent(socket, "handoff:new");
    const chat = await postJson(`${service.url}/api/chat`, {
      message: "I'm pregnant, can I still have microneedling?",
    });
    expect(chat.body.handoff.kind).toBe("clinician");
    const event = await clinician;
    expect(event).toEqual({
      conversationId: chat.body.sessionId,
      messageId: chat.body.messageId,
      kind: "clinician",
      at: expect.any(String),
    });

    const unanswered = nextEvent(socket, "handoff:new");
    const visitor = service.socket();
    const ack = await visitor
      .timeout(5000)
      .emitWithAck("chat:send", { message: "What's the capital of Australia?" });
    expect((ack as ChatSendAck).ok).toBe(true);
    expect(await unanswered).toMatchObject({ kind: "staff" });

    // A grounded answer and a booking handoff are not handoffs staff need to see.
    await postJson(`${service.url}/api/chat`, { message: "Does it help acne scars?" });
    await postJson(`${service.url}/api/chat`, { message: "I'd like to book a consultation" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(handoffs).toHaveLength(2);
    expect(JSON.stringify(handoffs)).not.toMatch(/pregnant|Australia/);
  });

  it("does not send staff events to visitors' sockets", async () => {
    const visitor = service.socket();
    await new Promise<void>((resolve) => visitor.once("connect", () => resolve()));
    const seen: string[] = [];
    visitor.onAny((event: string) => seen.push(event));
    await postJson(`${service.url}/api/bookings`, {
      name: "A",
      email: "a@example.com",
      consent: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual([]);
  });
});
