import { Global, Module } from '@nestjs/common';
import { LifeEventHandlers } from './events/life-event-handlers.js';
import { HouseholdEventsService } from './household-events.service.js';
import { HouseholdSnapshots } from './household-snapshots.service.js';
import { HouseholdsService } from './households.service.js';
import { RegistryImportJobProcessor, RegistryImportJobsController } from './import-jobs.js';
import { IdNumberViewController, IdNumberViews } from './id-number-view.controller.js';
import { ParentLinksController } from './parent-links.controller.js';
import { ParentLinksRepository } from './parent-links.repository.js';
import { RegistryController } from './registry.controller.js';
import { RegistryImportService } from './registry-import.service.js';
import { RegistryRepository } from './registry.repository.js';

/** Households, persons, life events and one-card accounts; `HouseholdSnapshots` for the rest of the system. */
@Global()
@Module({
  controllers: [RegistryController, ParentLinksController, RegistryImportJobsController, IdNumberViewController],
  providers: [
    IdNumberViews,
    RegistryRepository,
    HouseholdSnapshots,
    HouseholdsService,
    LifeEventHandlers,
    HouseholdEventsService,
    RegistryImportService,
    ParentLinksRepository,
    RegistryImportJobProcessor,
  ],
  exports: [HouseholdSnapshots, HouseholdsService],
})
export class RegistryModule {}
