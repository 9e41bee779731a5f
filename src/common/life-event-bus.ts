import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A life event the registry has just recorded, inside the transaction that records it. */
export interface LifeEventNotice {
  eventId: string;
  householdId: string;
  type: string;
  /** The event's effective date, YYYY-MM-DD. */
  date: string;
  personId: string | null;
  /**
   * A CORRECTION: the event it withdraws, or the field it corrects with the value before and after.
   * `date` is then the first day whose facts changed (the withdrawn event's date, the earlier of two
   * death dates), so listeners can re-decide, and find what was paid and is no longer owed, from there.
   */
  corrects?: { withdrawnEventId?: string; withdrawnType?: string; field?: string; from?: string; to?: string };
}

export type LifeEventListener = (manager: EntityManager, notice: LifeEventNotice) => Promise<void>;

/**
 * Lets modules react to life events in the same transaction as the event (enrollments are
 * suspended or terminated together with the death that ends them, or not at all), without the
 * registry depending on them.
 */
@Injectable()
export class LifeEventBus {
  private readonly listeners: LifeEventListener[] = [];

  subscribe(listener: LifeEventListener): void {
    this.listeners.push(listener);
  }

  async publish(manager: EntityManager, notice: LifeEventNotice): Promise<void> {
    for (const listener of this.listeners) await listener(manager, notice);
  }
}
