import { Module } from '@nestjs/common';
import { BudgetsModule } from '../budgets/budgets.module.js';
import { OverpaymentsModule } from '../overpayments/overpayments.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { BankFilesService } from './bank-files.service.js';
import { BankFormatsController } from './bank-formats.controller.js';
import { BankFormatsRepository } from './bank-formats.repository.js';
import { BankFormatsService } from './bank-formats.service.js';
import { BudgetImpactController, BudgetImpactService } from './budget-impact.js';
import { HouseholdPaymentsController, HouseholdPaymentsService } from './household-payments.js';
import { DisbursementsController } from './disbursements.controller.js';
import { DisbursementsRepository } from './disbursements.repository.js';
import { DisbursementsService } from './disbursements.service.js';
import { GenerationProcessor } from './generation.processor.js';

@Module({
  imports: [BudgetsModule, PoliciesModule, RegistryModule, OverpaymentsModule],
  controllers: [DisbursementsController, HouseholdPaymentsController, BankFormatsController, BudgetImpactController],
  providers: [
    DisbursementsRepository,
    DisbursementsService,
    BankFilesService,
    BankFormatsRepository,
    BankFormatsService,
    GenerationProcessor,
    HouseholdPaymentsService,
    BudgetImpactService,
  ],
  exports: [DisbursementsService],
})
export class DisbursementsModule {}
