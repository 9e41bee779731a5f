import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/**
 * The one way services open a transaction (inject it; never `dataSource.transaction`), so that every
 * change and its audit event share one and the isolation level is named where it matters. The
 * exceptions hold a query runner on purpose: async generators that stream a REPEATABLE READ
 * snapshot a chunk at a time (registry snapshots, reports), which cannot live inside a callback,
 * and the registry import's dry run, which rolls back what it wrote.
 */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>, isolation: IsolationLevel = 'READ COMMITTED'): Promise<T> {
    return this.dataSource.transaction(isolation, work);
  }
}
