import { Module } from '@nestjs/common';
import { EligibilityModule } from '../eligibility/eligibility.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { EnrollmentsController } from './enrollments.controller.js';
import { EnrollmentsRepository } from './enrollments.repository.js';
import { EnrollmentsService } from './enrollments.service.js';
import { PublicityListService } from './publicity-list.service.js';
import { RecheckProcessor, RecheckService } from './recheck.service.js';

@Module({
  imports: [EligibilityModule, RegistryModule],
  controllers: [EnrollmentsController],
  providers: [EnrollmentsRepository, EnrollmentsService, PublicityListService, RecheckService, RecheckProcessor],
  exports: [EnrollmentsService, EnrollmentsRepository],
})
export class EnrollmentsModule {}
