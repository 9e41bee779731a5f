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
