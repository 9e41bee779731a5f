import { Module } from '@nestjs/common';
import { DisbursementsModule } from '../disbursements/disbursements.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { ChainHeadsService } from './chain-heads.js';
import { MonthlyBatchDraftsProcessor } from './monthly-batch-drafts.js';
import { SchedulesController } from './schedules.controller.js';
import { SchedulesRepository } from './schedules.repository.js';
import { SchedulesService } from './schedules.service.js';

@Module({
  imports: [DisbursementsModule, PoliciesModule],
  controllers: [SchedulesController],
  providers: [SchedulesService, SchedulesRepository, ChainHeadsService, MonthlyBatchDraftsProcessor],
  exports: [SchedulesService, ChainHeadsService],
})
export class SchedulesModule {}
