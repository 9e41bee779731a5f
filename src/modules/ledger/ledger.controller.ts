import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import type { Page } from '../../common/pagination.js';
import type { Actor } from '../../common/request-context.js';
import {
  AccountPageDto,
  ListAccountsQuery,
  ListTransfersQuery,
  TransferPageDto,
  VerifyResultDto,
} from './dto/ledger.dto.js';
import { LedgerVerifier, type VerifyResult } from './ledger-verifier.js';
import { LedgerService, type AccountView, type TransferView } from './ledger.service.js';
import { ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

@ApiTags(TAGS.ledger)
@Controller('ledger')
export class LedgerController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly verifier: LedgerVerifier,
  ) {}

  @Get('accounts')
  @Roles('FINANCE', 'AUDITOR')
  @ApiOkResponse({ type: AccountPageDto, description: 'Accounts in your region with their posted balances' })
  @ApiSummary('总账科目及余额')
  accounts(@Query() query: ListAccountsQuery, @CurrentActor() actor: Actor): Promise<Page<AccountView>> {
    const { limit, cursor, ...filter } = query;
    return this.ledger.listAccounts(actor.regionCode, filter, { limit, cursor });
  }

  @Get('transfers')
  @Roles('FINANCE', 'AUDITOR')
  @ApiOkResponse({ type: TransferPageDto, description: 'Transfers touching an account in your region' })
  @ApiSummary('记账（转账）明细')
  transfers(@Query() query: ListTransfersQuery, @CurrentActor() actor: Actor): Promise<Page<TransferView>> {
    const { limit, cursor, ...filter } = query;
    return this.ledger.listTransfers(actor.regionCode, filter, { limit, cursor });
  }

  @Get('verify')
  @Roles('AUDITOR')
  @ApiOkResponse({
    type: VerifyResultDto,
    description: 'Recomputes the hash chain and every balance; names the first bad block',
  })
  @ApiSummary('校验总账：哈希链与每个科目的余额')
  verify(): Promise<VerifyResult> {
    return this.verifier.verify();
  }
}
