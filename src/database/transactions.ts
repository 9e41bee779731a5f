import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** One place that opens transactions, so that every money movement and its audit share one. */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>, isolation: IsolationLevel = 'READ COMMITTED'): Promise<T> {
    return this.dataSource.transaction(isolation, work);
  }
}
