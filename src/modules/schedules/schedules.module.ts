import { Module } from '@nestjs/common';
import { ChainHeadsService } from './chain-heads.js';
import { SchedulesController } from './schedules.controller.js';
import { SchedulesRepository } from './schedules.repository.js';
import { SchedulesService } from './schedules.service.js';

@Module({
  controllers: [SchedulesController],
  providers: [SchedulesService, SchedulesRepository, ChainHeadsService],
  exports: [SchedulesService, ChainHeadsService],
})
export class SchedulesModule {}
