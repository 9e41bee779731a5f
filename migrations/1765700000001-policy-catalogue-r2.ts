import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyCatalogue } from '../src/modules/policies/catalogue-apply.js';
import { cataloguePolicies } from '../src/modules/policies/catalogue.js';
import { SEEDED_POLICIES } from './1764500000000-policies.js';

/**
 * The policy catalogue of SPEC.md revision 2, loaded from the data files of the policies module
 * (`src/modules/policies/catalogue/*.json`): living children (现存子女), the single-parent age rule
 * of the special assistance, violations counted only from 1973 to 2001, a rural household (a parent
 * with rural hukou) as distinct from a beneficiary's own rural hukou, RURAL_REWARD 2004-2008 at
 * 600.00. Versions no payment used are corrected in place; a used one is closed where it was paid
 * and gets a corrected successor (`applyCatalogue`). Going down restores the seed of
 * 1764500000000 the same way.
 */
export class PolicyCatalogueR21765700000001 implements MigrationInterface {
  name = 'PolicyCatalogueR21765700000001';

  async up(q: QueryRunner): Promise<void> {
    await applyCatalogue(q, cataloguePolicies());
  }

  async down(q: QueryRunner): Promise<void> {
    await applyCatalogue(q, SEEDED_POLICIES);
  }
}
