import type { BookingService } from "../booking/booking-service.js";
import type { ChatService } from "../chat/chat-service.js";
import type { BookingRepository } from "../store/bookings.js";
import type { StaffEventName, StaffEventPayload } from "./events.js";

type Listener = <E extends StaffEventName>(event: E, payload: StaffEventPayload<E>) => void;

/**
 * What happened that staff should notice: the chat and booking flows emit, the `/staff`
 * namespace listens and forwards. One per service, passed through `AppDeps`.
 */
export interface StaffEvents {
  emit<E extends StaffEventName>(event: E, payload: StaffEventPayload<E>): void;
  /** Returns a function that removes the listener. */
  subscribe(listener: Listener): () => void;
}

/** `onError` hears a listener's failure; the visitor's request that emitted never does. */
export function createStaffEvents(
  options: { onError?: (error: unknown) => void } = {},
): StaffEvents {
  const listeners = new Set<Listener>();
  return {
    emit(event, payload) {
      for (const listener of listeners) {
        try {
          listener(event, payload);
        } catch (error) {
          options.onError?.(error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * The chat service, emitting `handoff:new` after each stored reply that hands off to a
 * clinician or to the team. The visitor's reply is never delayed or failed by it.
 */
export function notifyingChat(
  chat: () => ChatService | undefined,
  events: StaffEvents | undefined,
): () => ChatService | undefined {
  if (!events) return chat;
  return () => {
    const service = chat();
    if (!service) return undefined;
    return {
      ...service,
      start(input) {
        const turn = service.start(input);
        return {
          ...turn,
          async run(onDelta) {
            const done = await turn.run(onDelta);
            const kind = done.handoff?.kind;
            if (kind === "clinician" || kind === "staff") {
              events.emit("handoff:new", {
                conversationId: done.sessionId,
                messageId: done.messageId,
                kind,
                at: new Date().toISOString(),
              });
            }
            return done;
          },
        };
      },
    };
  };
}

/** The booking service, emitting `booking:new` after each stored request. */
export function notifyingBookings(
  service: BookingService,
  bookings: BookingRepository,
  events: StaffEvents | undefined,
): BookingService {
  if (!events) return service;
  return {
    ...service,
    submit(input) {
      const result = service.submit(input);
      const stored = bookings.get(result.id);
      events.emit("booking:new", {
        id: result.id,
        type: input.type,
        createdAt: stored?.createdAt ?? new Date().toISOString(),
      });
      return result;
    },
  };
}
