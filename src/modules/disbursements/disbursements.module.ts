import { Module } from '@nestjs/common';
import { BudgetsModule } from '../budgets/budgets.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { BankFilesService } from './bank-files.service.js';
import { BudgetImpactController, BudgetImpactService } from './budget-impact.js';
import { HouseholdPaymentsController, HouseholdPaymentsService } from './household-payments.js';
import { DisbursementsController } from './disbursements.controller.js';
import { DisbursementsRepository } from './disbursements.repository.js';
import { DisbursementsService } from './disbursements.service.js';
import { GenerationProcessor } from './generation.processor.js';

@Module({
  imports: [BudgetsModule, PoliciesModule, RegistryModule],
  controllers: [DisbursementsController, HouseholdPaymentsController, BudgetImpactController],
  providers: [
    DisbursementsRepository,
    DisbursementsService,
    BankFilesService,
    GenerationProcessor,
    HouseholdPaymentsService,
    BudgetImpactService,
  ],
  exports: [DisbursementsService],
})
export class DisbursementsModule {}
