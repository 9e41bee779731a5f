import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';
import { SpendingController, SpendingRepository } from './spending.js';

@Module({
  controllers: [ReportsController, SpendingController],
  providers: [ReportsService, ReportsRepository, SpendingRepository],
})
export class ReportsModule {}
