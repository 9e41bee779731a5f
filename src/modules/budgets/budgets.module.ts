import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { BudgetCommitmentsService } from './budget-commitments.service.js';
import { BudgetsController } from './budgets.controller.js';
import { BudgetsService } from './budgets.service.js';

@Module({
  imports: [LedgerModule],
  controllers: [BudgetsController],
  providers: [BudgetsService, BudgetCommitmentsService],
  exports: [BudgetCommitmentsService, BudgetsService],
})
export class BudgetsModule {}
