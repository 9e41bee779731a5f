import { Module } from '@nestjs/common';
import { BudgetLinesRepository } from './budget-lines.repository.js';
import { LedgerController } from './ledger.controller.js';
import { LedgerVerifier } from './ledger-verifier.js';
import { LedgerRepository } from './ledger.repository.js';
import { LedgerService } from './ledger.service.js';

@Module({
  controllers: [LedgerController],
  providers: [LedgerRepository, BudgetLinesRepository, LedgerService, LedgerVerifier],
  exports: [LedgerService, LedgerVerifier],
})
export class LedgerModule {}
