import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

/**
 * For `npm run migration:generate -- migrations/Name`: TypeORM's CLI compares the entities with
 * the database at DATABASE_URL. Then add the generated class to migrations/index.ts.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required to generate a migration');

export default new DataSource({
  ...dataSourceOptions(url, 2),
  entities: ['dist/src/**/*.entity.js'],
});
