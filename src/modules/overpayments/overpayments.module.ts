import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { PoliciesModule } from '../policies/policies.module.js';
import { ClaimLedger } from './claim-ledger.js';
import { OverpaymentsController } from './overpayments.controller.js';
import { OverpaymentsRepository } from './overpayments.repository.js';
import { OverpaymentsService } from './overpayments.service.js';
import { OverpaymentRecheckProcessor, OverpaymentRecheckService } from './recheck.js';

/** Overpayment claims and their recovery (SPEC.md "Overpayments and recovery"). */
@Module({
  imports: [LedgerModule, PoliciesModule],
  controllers: [OverpaymentsController],
  providers: [
    OverpaymentsRepository,
    OverpaymentsService,
    ClaimLedger,
    OverpaymentRecheckService,
    OverpaymentRecheckProcessor,
  ],
  exports: [OverpaymentsService],
})
export class OverpaymentsModule {}
