import { ValidationFailedError } from '../../../common/errors.js';
import { callerText, currentLanguage } from '../../../common/request-context.js';
import { accountNoProblem, bankCodeProblem } from '../bank-account.js';
import type { LifeEventOf } from '../dto/life-events.dto.js';
import { holderProblem } from '../household-rules.js';
import type { LoggedEvent } from '../registry.repository.js';
import {
  conflict,
  contradiction,
  inOrder,
  type Dependents,
  type EventContext,
  type HandlerDeps,
  type LifeEventHandler,
  type Outcome,
} from './life-event-handler.js';

/** CERTIFICATE_ISSUED {certificateNo}: the only-child parents' certificate, one in force at a time. */
export class CertificateIssuedHandler implements LifeEventHandler<'CERTIFICATE_ISSUED'> {
  readonly type = 'CERTIFICATE_ISSUED';
  readonly dependents: Dependents = { types: ['CERTIFICATE_REVOKED', 'CERTIFICATE_ISSUED'], of: 'household' };
  constructor(private readonly deps: HandlerDeps) {}

  async handle(context: EventContext, event: LifeEventOf<'CERTIFICATE_ISSUED'>): Promise<Outcome> {
    const { manager, household, date } = context;
    const { certificateNo } = event.data;
    const active = await this.deps.repository.activeCertificate(manager, household.id);
    if (active) throw conflict('CERTIFICATE_ALREADY_ISSUED', `Certificate ${active.certificate_no} is in force`);
    inOrder(await this.deps.repository.lastCertificateChange(manager, household.id), date, 'certificate');
    const eventId = await context.log(null, { certificateNo });
    if (!(await this.deps.repository.insertCertificate(manager, household.id, certificateNo, date, eventId))) {
      throw conflict('DUPLICATE_CERTIFICATE', `Certificate ${certificateNo} is already registered`);
    }
    return { personId: null, data: { certificateNo } };
  }

  async withdraw(context: EventContext, event: LoggedEvent): Promise<void> {
    await this.deps.repository.eraseIssuedCertificate(context.manager, event.id);
  }
}

/** CERTIFICATE_REVOKED: the certificate in force is revoked from the date. */
export class CertificateRevokedHandler implements LifeEventHandler<'CERTIFICATE_REVOKED'> {
  readonly type = 'CERTIFICATE_REVOKED';
  readonly dependents: Dependents = { types: ['CERTIFICATE_ISSUED'], of: 'household' };
  constructor(private readonly deps: HandlerDeps) {}

  async handle(context: EventContext): Promise<Outcome> {
    const { manager, household, date } = context;
    const active = await this.deps.repository.activeCertificate(manager, household.id);
    if (!active) throw conflict('NO_ACTIVE_CERTIFICATE', 'The household holds no certificate in force');
    if (date < active.issued_on) {
      throw contradiction(
        'EVENT_BEFORE_ISSUE',
        `Certificate ${active.certificate_no} was issued on ${active.issued_on}`,
      );
    }
    const eventId = await context.log(null, { certificateNo: active.certificate_no });
    await this.deps.repository.revokeCertificate(manager, active.id, date, eventId);
    return { personId: null, data: { certificateNo: active.certificate_no } };
  }

  async withdraw(context: EventContext, event: LoggedEvent): Promise<void> {
    // A later certificate (already refused as a dependent) would be two in force.
    await this.deps.repository.eraseRevocation(context.manager, context.household.id, event.id);
  }
}

/** VIOLATION_RECORDED {year}: a family-planning violation of a year, recorded on the date. */
export class ViolationRecordedHandler implements LifeEventHandler<'VIOLATION_RECORDED'> {
  readonly type = 'VIOLATION_RECORDED';
  readonly dependents: Dependents = { types: [], of: 'household' };
  constructor(private readonly deps: HandlerDeps) {}

  async handle(context: EventContext, event: LifeEventOf<'VIOLATION_RECORDED'>): Promise<Outcome> {
    const { year } = event.data;
    if (year > Number(context.date.slice(0, 4))) {
      throw contradiction('EVENT_CONTRADICTS_RECORD', `A violation of ${year} cannot be recorded on ${context.date}`);
    }
    const eventId = await context.log(null, { year });
    if (
      !(await this.deps.repository.insertViolations(
        context.manager,
        context.household.id,
        [year],
        context.date,
        eventId,
      ))
    ) {
      throw conflict('VIOLATION_ALREADY_RECORDED', `A violation of ${year} is already recorded`);
    }
    return { personId: null, data: { year } };
  }

  async withdraw(context: EventContext, event: LoggedEvent): Promise<void> {
    await this.deps.repository.eraseViolation(context.manager, event.id);
  }
}

/** QUOTA_WAIVED: the voluntary waiver of the second-child quota (once). */
export class QuotaWaivedHandler implements LifeEventHandler<'QUOTA_WAIVED'> {
  readonly type = 'QUOTA_WAIVED';
  readonly dependents: Dependents = { types: [], of: 'household' };
  constructor(private readonly deps: HandlerDeps) {}

  async handle(context: EventContext): Promise<Outcome> {
    const { household } = context;
    if (household.quota_waived_on !== null) {
      throw conflict('QUOTA_ALREADY_WAIVED', `The waiver of ${household.quota_waived_on} is already recorded`);
    }
    await context.log(null, {});
    await context.manager.query(`UPDATE households SET quota_waived_on = $2::date, updated_at = now() WHERE id = $1`, [
      household.id,
      context.date,
    ]);
    return { personId: null, data: {} };
  }

  async withdraw(context: EventContext, event: LoggedEvent): Promise<void> {
    await this.deps.repository.eraseQuotaWaiver(context.manager, context.household.id, event.event_date);
  }
}

/** MOVE {regionCode, address?}: the household moves to another village or community. */
export class MoveHandler implements LifeEventHandler<'MOVE'> {
  readonly type = 'MOVE';
  readonly dependents: Dependents = { types: ['MOVE'], of: 'household' };
  constructor(private readonly deps: HandlerDeps) {}

  async handle(context: EventContext, event: LifeEventOf<'MOVE'>): Promise<Outcome> {
    const { manager, household, date } = context;
    const { repository } = this.deps;
    const { regionCode } = event.data;
    const address = (event.data.address ?? household.address).trim();
    if (address.length < 1)
      throw new ValidationFailedError([{ field: 'data.address', message: callerText('household.address') }]);
    if ((await repository.regionLevel(manager, regionCode)) !== 'VILLAGE') {
      throw contradiction('REGION_NOT_FOUND', `Village or community ${regionCode} does not exist`, { regionCode });
    }
    if (regionCode === household.region_code) {
      throw contradiction('EVENT_NO_CHANGE', `The household already lives in ${regionCode}`);
    }
    inOrder(await repository.lastEffective(manager, 'household_region_history', household.id), date, 'region');
    const logged = { regionCode, address, fromRegionCode: household.region_code };
    const eventId = await context.log(null, logged);
    await repository.insertRegion(manager, household.id, date, regionCode, address, eventId);
    await manager.query(`UPDATE households SET region_code = $2, address = $3, updated_at = now() WHERE id = $1`, [
      household.id,
      regionCode,
      address,
    ]);
    return { personId: null, data: logged };
  }

  async withdraw(context: EventContext, event: LoggedEvent, correctionId: string): Promise<void> {
    await this.deps.repository.restoreDated(context.manager, 'region', event.id, correctionId);
    await this.deps.repository.syncCurrentRegion(context.manager, context.household.id);
  }
}

/** BANK_ACCOUNT_CHANGE {bankCode, accountNo, holderPersonId}: the one-card account from the date. */
export class BankAccountChangeHandler implements LifeEventHandler<'BANK_ACCOUNT_CHANGE'> {
  readonly type = 'BANK_ACCOUNT_CHANGE';
  readonly dependents: Dependents = { types: ['BANK_ACCOUNT_CHANGE'], of: 'household' };
  constructor(private readonly deps: HandlerDeps) {}

  async handle(context: EventContext, event: LifeEventOf<'BANK_ACCOUNT_CHANGE'>): Promise<Outcome> {
    const { manager, household, date } = context;
    const { repository } = this.deps;
    const { bankCode, accountNo, holderPersonId } = event.data;
    const lang = currentLanguage();
    const problems = [
      { field: 'data.bankCode', message: bankCodeProblem(bankCode, lang) },
      { field: 'data.accountNo', message: accountNoProblem(accountNo, lang) },
    ].filter((problem): problem is { field: string; message: string } => problem.message !== undefined);
    if (problems.length > 0) throw new ValidationFailedError(problems);
    const holder = await repository.personFacts(manager, holderPersonId, household.id);
    if (!holder || holder.household_id !== household.id) {
      throw contradiction('HOLDER_NOT_MEMBER', 'The account holder must be a member of the household');
    }
    const problem = holderProblem({ birthDate: holder.birth_date, deathDate: holder.death_date }, date, lang);
    if (problem) {
      throw contradiction(
        holder.death_date !== null && holder.death_date <= date ? 'HOLDER_DECEASED' : 'HOLDER_NOT_ADULT',
        problem,
      );
    }
    inOrder(await repository.lastEffective(manager, 'household_bank_accounts', household.id), date, 'bank account');
    const account = { bankCode, accountNo, holderPersonId: holder.person_id };
    const eventId = await context.log(holder.person_id, account);
    await repository.insertBankAccount(manager, household.id, date, account, eventId);
    return { personId: holder.person_id, data: account };
  }

  async withdraw(context: EventContext, event: LoggedEvent, correctionId: string): Promise<void> {
    if (!(await this.deps.repository.restoreDated(context.manager, 'account', event.id, correctionId))) {
      throw contradiction(
        'CORRECTION_NOT_SUPPORTED',
        "The household's first account cannot be withdrawn: record the right one with BANK_ACCOUNT_CHANGE",
      );
    }
  }
}
