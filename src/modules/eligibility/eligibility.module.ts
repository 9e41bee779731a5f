import { Module } from '@nestjs/common';
import { PoliciesModule } from '../policies/policies.module.js';
import { HouseholdSnapshots } from '../registry/household-snapshots.service.js';
import { RegistryModule } from '../registry/registry.module.js';
import { EligibilityController } from './eligibility.controller.js';
import { EligibilityService } from './eligibility.service.js';
import { EntitlementsRepository } from './entitlements.repository.js';
import { EntitlementsService } from './entitlements.service.js';
import { HOUSEHOLD_SNAPSHOTS } from './household-snapshot-source.js';

@Module({
  imports: [PoliciesModule, RegistryModule],
  controllers: [EligibilityController],
  providers: [
    EligibilityService,
    EntitlementsService,
    EntitlementsRepository,
    { provide: HOUSEHOLD_SNAPSHOTS, useExisting: HouseholdSnapshots },
  ],
  exports: [EligibilityService],
})
export class EligibilityModule {}
