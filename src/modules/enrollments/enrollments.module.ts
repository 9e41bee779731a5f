import { Module } from '@nestjs/common';
import { EligibilityModule } from '../eligibility/eligibility.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { EnrollmentsController } from './enrollments.controller.js';
import { EnrollmentsImportRepository } from './enrollments-import.repository.js';
import { EnrollmentsImportService } from './enrollments-import.service.js';
import { EnrollmentsRepository } from './enrollments.repository.js';
import { EnrollmentsService } from './enrollments.service.js';
import { PublicityListService } from './publicity-list.service.js';
import { RecheckProcessor, RecheckService } from './recheck.service.js';

@Module({
  imports: [EligibilityModule, PoliciesModule, RegistryModule],
  controllers: [EnrollmentsController],
  providers: [
    EnrollmentsRepository,
    EnrollmentsImportRepository,
    EnrollmentsImportService,
    EnrollmentsService,
    PublicityListService,
    RecheckService,
    RecheckProcessor,
  ],
  exports: [EnrollmentsService, EnrollmentsRepository, EnrollmentsImportService],
})
export class EnrollmentsModule {}
