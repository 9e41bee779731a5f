import { Module } from '@nestjs/common';
import { PoliciesModule } from '../policies/policies.module.js';
import { EligibilityController } from './eligibility.controller.js';
import { EligibilityService } from './eligibility.service.js';
import { EntitlementsService } from './entitlements.service.js';
import { HOUSEHOLD_SNAPSHOTS } from './household-snapshot-source.js';
import { RegistryNotReady } from './registry-not-ready.js';

@Module({
  imports: [PoliciesModule],
  controllers: [EligibilityController],
  providers: [EligibilityService, EntitlementsService, { provide: HOUSEHOLD_SNAPSHOTS, useClass: RegistryNotReady }],
  exports: [EligibilityService],
})
export class EligibilityModule {}
