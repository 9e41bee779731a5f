import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import { NotFoundError, InvalidStateTransitionError } from '../../common/errors.js';
import { LifeEventBus, type LifeEventNotice } from '../../common/life-event-bus.js';
import { formatMoney, money } from '../../common/money.js';
import { cursorPart, decodeCursor, toPage, type Page } from '../../common/pagination.js';
import { RegionScope } from '../../common/region-scope.js';
import type { Actor } from '../../common/request-context.js';
import { Transactions } from '../../database/transactions.js';
import { AuditService } from '../audit/audit.service.js';
import { PoliciesService } from '../policies/policies.service.js';
import { DEFAULT_OFFSET_SHARE, type PolicyWithVersions } from '../policies/policy-model.js';
import { loadHistories, timelineOf, type HouseholdTimeline } from '../registry/household-history.js';
import { ClaimLedger, offsetRecoveryKey, sharesOf, type OffsetBatch } from './claim-ledger.js';
import { redecide, unitReaches, type Redecided } from './overpaid-units.js';
import {
  DuplicateReceiptError,
  OffsetsPendingError,
  RefundExceedsOutstandingError,
  WriteOffSelfApprovalError,
} from './overpayments.errors.js';
import {
  COLLECTING,
  OverpaymentsRepository,
  type ClaimLineRow,
  type ClaimRow,
  type ClaimStatus,
  type RecoveryRow,
} from './overpayments.repository.js';

/** What caused a detection: a life event (its id) or a city-wide re-check job. */
export interface DetectionCause {
  eventId?: string | null;
  jobId?: string | null;
}

export interface DetectionResult {
  households: number;
  unitsDecided: number;
  periodsClaimed: number;
  periodsWithdrawn: number;
  amountClaimed: string;
}

export interface ClaimView {
  id: string;
  claimNo: string;
  householdId: string;
  personId: string | null;
  policyCode: string;
  regionCode: string;
  countyCode: string;
  status: ClaimStatus;
  amount: string;
  recovered: string;
  writtenOff: string;
  reserved: string;
  outstanding: string;
  writeOff: {
    reason: string | null;
    proposedBy: string | null;
    proposedByUsername: string | null;
    approvedBy: string | null;
    approvedByUsername: string | null;
  };
  openedAt: string;
  closedAt: string | null;
  lines: {
    lineId: string;
    batchId: string;
    batchNo: string;
    period: string;
    fiscalYear: number;
    paid: string;
    owed: string;
    amount: string;
    causeEventId: string | null;
    causeJobId: string | null;
    causeEventType: string | null;
    causeEventDate: string | null;
    foundAt: string;
    withdrawnAt: string | null;
    withdrawnByEventId: string | null;
  }[];
  recoveries: {
    id: string;
    kind: RecoveryRow['kind'];
    status: RecoveryRow['status'];
    amount: string;
    batchId: string | null;
    lineId: string | null;
    receiptNo: string | null;
    date: string | null;
    reason: string | null;
    actorId: string | null;
    createdAt: string;
  }[];
  /** The claim's audit trail, oldest first (one claim's view only, not the list). */
  history?: ClaimEvent[];
}

/** One step of a claim's history, from its audit trail. */
export interface ClaimEvent {
  id: string;
  at: string;
  action: string;
  actorUsername: string | null;
  actorRole: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** A line being generated, as the offset reservation sees it. */
export interface OffsetCandidate {
  lineNo: number;
  householdId: string;
  /** The line's gross amount (what the household is owed by it). */
  amount: string;
  versionIds: string[];
}

export const outstandingOf = (claim: ClaimRow): Decimal =>
  money(claim.amount).minus(claim.recovered).minus(claim.written_off);

/** What refunds, write-offs and new offsets may still take: outstanding less the offsets reserved. */
const unreservedOf = (claim: ClaimRow): Decimal => outstandingOf(claim).minus(claim.reserved);

/** The status a claim's figures say, keeping a proposed write-off proposed while money is outstanding. */
export function statusOf(claim: Pick<ClaimRow, 'amount' | 'recovered' | 'written_off' | 'status'>): ClaimStatus {
  const amount = money(claim.amount);
  if (amount.isZero()) return money(claim.recovered).isZero() ? 'WITHDRAWN' : 'RECOVERED';
  const outstanding = amount.minus(claim.recovered).minus(claim.written_off);
  if (outstanding.lessThanOrEqualTo(0)) return money(claim.written_off).isZero() ? 'RECOVERED' : 'WRITTEN_OFF';
  if (claim.status === 'WRITE_OFF_PROPOSED') return 'WRITE_OFF_PROPOSED';
  return money(claim.recovered).isZero() ? 'OPEN' : 'RECOVERING';
}

const writeOffUsers = (claim: ClaimRow): string[] =>
  [claim.write_off_proposed_by, claim.write_off_approved_by].filter((id): id is string => id !== null);

const CLOSED: readonly ClaimStatus[] = ['RECOVERED', 'WRITTEN_OFF', 'WITHDRAWN'];

export function toClaimView(
  claim: ClaimRow,
  lines: ClaimLineRow[],
  recoveries: RecoveryRow[],
  usernames: Map<string, string> = new Map(),
): ClaimView {
  const nameOf = (id: string | null) => (id === null ? null : (usernames.get(id) ?? null));
  return {
    id: claim.id,
    claimNo: claim.claim_no,
    householdId: claim.household_id,
    personId: claim.person_id,
    policyCode: claim.policy_code,
    regionCode: claim.region_code,
    countyCode: claim.county_code,
    status: claim.status,
    amount: formatMoney(claim.amount),
    recovered: formatMoney(claim.recovered),
    writtenOff: formatMoney(claim.written_off),
    reserved: formatMoney(claim.reserved),
    outstanding: formatMoney(outstandingOf(claim)),
    writeOff: {
      reason: claim.write_off_reason,
      proposedBy: claim.write_off_proposed_by,
      proposedByUsername: nameOf(claim.write_off_proposed_by),
      approvedBy: claim.write_off_approved_by,
      approvedByUsername: nameOf(claim.write_off_approved_by),
    },
    openedAt: claim.opened_at.toISOString(),
    closedAt: claim.closed_at?.toISOString() ?? null,
    lines: lines.map((line) => ({
      lineId: line.line_id,
      batchId: line.batch_id,
      batchNo: line.batch_no,
      period: line.period_unit,
      fiscalYear: line.fiscal_year,
      paid: formatMoney(line.paid),
      owed: formatMoney(line.owed),
      amount: formatMoney(line.amount),
      causeEventId: line.cause_event_id,
      causeJobId: line.cause_job_id,
      causeEventType: line.cause_event_type,
      causeEventDate: line.cause_event_date,
      foundAt: line.found_at.toISOString(),
      withdrawnAt: line.withdrawn_at?.toISOString() ?? null,
      withdrawnByEventId: line.withdrawn_by_event_id,
    })),
    recoveries: recoveries.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      amount: formatMoney(r.amount),
      batchId: r.batch_id,
      lineId: r.line_id,
      receiptNo: r.receipt_no,
      date: r.received_on,
      reason: r.reason,
      actorId: r.actor_id,
      createdAt: r.created_at.toISOString(),
    })),
  };
}

/**
 * Overpayment claims (SPEC.md "Overpayments and recovery"): found when a life event or correction
 * changes the past (in the event's transaction, through the LifeEventBus) or by the city-wide
 * re-check job; recovered by offsets on later cash lines, refunds and write-offs; every money step
 * posted to the ledger (ClaimLedger) and audited in the same transaction.
 */
@Injectable()
export class OverpaymentsService implements OnModuleInit {
  constructor(
    private readonly transactions: Transactions,
    private readonly repository: OverpaymentsRepository,
    private readonly claimLedger: ClaimLedger,
    private readonly policies: PoliciesService,
    private readonly audit: AuditService,
    private readonly lifeEvents: LifeEventBus,
  ) {}

  onModuleInit(): void {
    this.lifeEvents.subscribe((manager, notice) => this.followUpLifeEvent(manager, notice));
  }

  /** A life event re-decides the household's paid periods that end on or after its date. */
  async followUpLifeEvent(manager: EntityManager, notice: LifeEventNotice): Promise<void> {
    await this.detect(manager, [notice.householdId], notice.date, { eventId: notice.eventId });
  }

  /**
   * Decides every paid period of the households that ends on or after `fromDay` again from the
   * corrected registry history. A period paid and no longer owed (in part or whole) joins the
   * beneficiary's claim for the policy (opened if none is collecting); an already claimed period
   * that the history now owes (the event that made it not owed was withdrawn) leaves its claim,
   * which is reduced or closed with nothing recovered. In the caller's transaction.
   */
  async detect(
    manager: EntityManager,
    householdIds: string[],
    fromDay: string,
    cause: DetectionCause,
  ): Promise<DetectionResult> {
    const result: DetectionResult = {
      households: householdIds.length,
      unitsDecided: 0,
      periodsClaimed: 0,
      periodsWithdrawn: 0,
      amountClaimed: '0.00',
    };
    const units = (await this.repository.paidUnits(manager, householdIds)).filter((u) => unitReaches(u, fromDay));
    if (units.length === 0) return result;
    const histories = await loadHistories(manager, [...new Set(units.map((u) => u.household_id))]);
    const timelines = new Map<string, HouseholdTimeline>();
    const timeline = (householdId: string) => {
      let found = timelines.get(householdId);
      if (!found) {
        found = timelineOf(histories.get(householdId)!);
        timelines.set(householdId, found);
      }
      return found;
    };
    const catalogue = new Map((await this.policies.catalogue(manager)).map((p) => [p.code, p]));

    const withdraw: { claimLineId: string; redecided: Redecided }[] = [];
    const claim: Redecided[] = [];
    for (const unit of units) {
      if (!histories.has(unit.household_id)) continue;
      const decided = redecide(catalogue.get(unit.policy_code as never)!, timeline(unit.household_id), unit);
      result.unitsDecided += 1;
      if (unit.claim_line_id !== null) {
        if (decided.overpaid.equals(unit.claimed!)) continue;
        withdraw.push({ claimLineId: unit.claim_line_id, redecided: decided });
        if (decided.overpaid.greaterThan(0)) claim.push(decided);
      } else if (decided.overpaid.greaterThan(0)) {
        claim.push(decided);
      }
    }
    if (withdraw.length === 0 && claim.length === 0) return result;
    // Lock order: the ledger's head, then every claim this may touch, in id order, in one statement.
    await this.claimLedger.lockLedgerFirst(manager);
    const pairs = new Map(
      claim.map((d) => [
        `${d.unit.policy_code}|${d.unit.beneficiary_key}`,
        { policyCode: d.unit.policy_code, beneficiaryKey: d.unit.beneficiary_key },
      ]),
    );
    await this.repository.lockForDetection(
      manager,
      withdraw.map((w) => w.claimLineId),
      [...pairs.values()],
    );
    const withdrawnLines = await this.withdrawPeriods(
      manager,
      withdraw.map((w) => w.claimLineId),
      cause.eventId ?? null,
    );
    result.periodsWithdrawn = withdrawnLines.length;
    // A period whose withdrawal was refused (its claim recovered more than would remain) keeps its claim.
    const kept = new Set(withdraw.map((w) => w.claimLineId).filter((id) => !withdrawnLines.includes(id)));
    const keptUnits = new Set(
      withdraw
        .filter((w) => kept.has(w.claimLineId))
        .map((w) => `${w.redecided.unit.line_id}|${w.redecided.unit.period_unit}`),
    );
    const toClaim = claim.filter((d) => !keptUnits.has(`${d.unit.line_id}|${d.unit.period_unit}`));

    const groups = new Map<string, Redecided[]>();
    for (const decided of toClaim) {
      const key = `${decided.unit.policy_code}|${decided.unit.beneficiary_key}`;
      groups.set(key, [...(groups.get(key) ?? []), decided]);
    }
    let claimed = money(0);
    for (const group of [...groups.keys()].sort()) {
      const periods = groups.get(group)!;
      const amount = await this.claimPeriods(
        manager,
        catalogue.get(periods[0].unit.policy_code as never)!,
        periods,
        cause,
      );
      claimed = claimed.plus(amount);
      result.periodsClaimed += periods.length;
    }
    result.amountClaimed = formatMoney(claimed);
    return result;
  }

  /** Adds overpaid periods of one beneficiary and policy to its collecting claim (opening one). */
  private async claimPeriods(
    manager: EntityManager,
    policy: PolicyWithVersions,
    periods: Redecided[],
    cause: DetectionCause,
  ): Promise<Decimal> {
    const first = periods[0].unit;
    let claim = await this.repository.collectingClaim(manager, first.policy_code, first.beneficiary_key);
    const opened = !claim;
    claim ??= await this.repository.insertClaim(manager, {
      householdId: first.household_id,
      personId: first.person_id,
      beneficiaryKey: first.beneficiary_key,
      policyCode: first.policy_code,
      regionCode: first.region_code,
      countyCode: first.county_code,
    });
    const before = { ...claim };
    let total = money(0);
    const pieces = [];
    for (const period of periods) {
      const claimLineId = await this.repository.insertClaimLine(manager, {
        claimId: claim.id,
        lineId: period.unit.line_id,
        batchId: period.unit.batch_id,
        periodUnit: period.unit.period_unit,
        fiscalYear: period.unit.fiscal_year,
        paid: formatMoney(period.paid),
        owed: formatMoney(period.owed),
        amount: formatMoney(period.overpaid),
        versionId: period.unit.version_id,
        causeEventId: cause.eventId ?? null,
        causeJobId: cause.jobId ?? null,
      });
      pieces.push({
        claimLineId,
        fiscalYear: period.unit.fiscal_year,
        countyCode: period.unit.county_code,
        amount: period.overpaid,
        shares: sharesOf(policy, period.unit.version_id),
      });
      total = total.plus(period.overpaid);
    }
    await this.claimLedger.overpaid(manager, claim, pieces);
    const figures = { amount: formatMoney(money(claim.amount).plus(total)) };
    claim = await this.repository.updateClaim(manager, claim.id, { ...figures, ...this.statusAfter(claim, figures) });
    await this.audit.record(manager, {
      action: opened ? 'overpayment.claim_opened' : 'overpayment.periods_added',
      entityType: 'overpayment_claim',
      entityId: claim.id,
      regionCode: claim.region_code,
      before: opened ? undefined : { amount: before.amount, status: before.status },
      after: {
        amount: formatMoney(claim.amount),
        status: claim.status,
        added: formatMoney(total),
        periods: periods.map((p) => ({
          lineId: p.unit.line_id,
          period: p.unit.period_unit,
          paid: formatMoney(p.paid),
          owed: formatMoney(p.owed),
          amount: formatMoney(p.overpaid),
        })),
        causeEventId: cause.eventId ?? null,
        causeJobId: cause.jobId ?? null,
      },
      actor: cause.jobId ? null : undefined,
    });
    await this.auditStaleProposal(
      manager,
      before,
      claim,
      opened ? 'overpayment.claim_opened' : 'overpayment.periods_added',
    );
    return total;
  }

  /**
   * Takes periods out of their claims (owed after all): each claim's amount is reduced by them and
   * their receivable goes back to spent, so nothing is recovered by anyone. A claim that has already
   * recovered or reserved more than would remain keeps those periods (returned ids leave them out).
   */
  private async withdrawPeriods(
    manager: EntityManager,
    claimLineIds: string[],
    eventId: string | null,
  ): Promise<string[]> {
    if (claimLineIds.length === 0) return [];
    const lines = await this.repository.withdrawClaimLines(manager, claimLineIds, eventId);
    const byClaim = new Map<string, typeof lines>();
    for (const line of lines) byClaim.set(line.claim_id, [...(byClaim.get(line.claim_id) ?? []), line]);
    const withdrawn: string[] = [];
    for (const claim of await this.repository.lockClaims(manager, [...byClaim.keys()])) {
      const claimLines = byClaim.get(claim.id)!;
      const amount = claimLines.reduce((sum, line) => sum.plus(line.amount), money(0));
      if (amount.greaterThan(unreservedOf(claim))) {
        // Recovered already: withdrawing would leave the household owed money back. Keep them.
        await manager.query(
          `UPDATE overpayment_claim_lines SET withdrawn_at = NULL, withdrawn_by_event_id = NULL WHERE id = ANY($1::bigint[])`,
          [claimLines.map((line) => line.id)],
        );
        await this.audit.record(manager, {
          action: 'overpayment.withdrawal_refused',
          entityType: 'overpayment_claim',
          entityId: claim.id,
          regionCode: claim.region_code,
          after: { amount: formatMoney(amount), unreserved: formatMoney(unreservedOf(claim)), eventId },
        });
        continue;
      }
      const recoveryId = await this.repository.insertRecovery(manager, {
        claimId: claim.id,
        kind: 'WITHDRAWAL',
        amount: formatMoney(amount),
        reason: eventId ? `event ${eventId}` : 're-check',
      });
      await this.claimLedger.settle(manager, claim, amount, 'OVERPAYMENT_WITHDRAWN', `withdrawal:${recoveryId}`);
      await this.changeFigures(
        manager,
        claim,
        { amount: formatMoney(money(claim.amount).minus(amount)) },
        'overpayment.periods_withdrawn',
        { withdrawn: formatMoney(amount), eventId },
      );
      withdrawn.push(...claimLines.map((line) => line.id));
    }
    return withdrawn;
  }

  // ---- offsets (batch generation, approval, rejection) ----

  /**
   * Reserves offsets for lines being generated: each line gives its household's recoverable claims
   * (oldest first, locked) at most `share` of its gross amount (the policy version's offset share,
   * 50% by default); the rest waits for later lines. Returns the offsets per line number; the caller
   * pays each line its gross less them and records them with `recordOffsets` once the lines exist.
   */
  async reserveOffsets(
    manager: EntityManager,
    policy: PolicyWithVersions,
    lines: OffsetCandidate[],
  ): Promise<{ lineNo: number; claimId: string; amount: string }[]> {
    if (lines.length === 0) return [];
    const claims = await this.repository.lockRecoverableClaims(manager, [...new Set(lines.map((l) => l.householdId))]);
    if (claims.length === 0) return [];
    const byHousehold = new Map<string, ClaimRow[]>();
    for (const claim of claims)
      byHousehold.set(claim.household_id, [...(byHousehold.get(claim.household_id) ?? []), claim]);
    const offsets: { lineNo: number; claimId: string; amount: string }[] = [];
    const reserved = new Map<string, Decimal>();
    for (const line of lines) {
      const open = byHousehold.get(line.householdId);
      if (!open) continue;
      let room = money(line.amount)
        .times(offsetShareOf(policy, line.versionIds[line.versionIds.length - 1]))
        .toDecimalPlaces(2, Decimal.ROUND_DOWN);
      for (const claim of open) {
        if (room.lessThanOrEqualTo(0)) break;
        const left = unreservedOf(claim).minus(reserved.get(claim.id) ?? 0);
        const take = Decimal.min(left, room);
        if (take.lessThanOrEqualTo(0)) continue;
        offsets.push({ lineNo: line.lineNo, claimId: claim.id, amount: formatMoney(take) });
        reserved.set(claim.id, (reserved.get(claim.id) ?? money(0)).plus(take));
        room = room.minus(take);
      }
    }
    for (const [claimId, amount] of reserved) {
      const claim = claims.find((c) => c.id === claimId)!;
      await this.repository.updateClaim(manager, claimId, {
        reserved: formatMoney(money(claim.reserved).plus(amount)),
      });
    }
    return offsets;
  }

  /** Records reserved offsets against the lines just inserted (found by batch and line number). */
  recordOffsets(
    manager: EntityManager,
    batchId: string,
    offsets: { lineNo: number; claimId: string; amount: string }[],
  ): Promise<void> {
    return this.repository.insertOffsets(manager, batchId, offsets);
  }

  /**
   * The batch is approved: its reserved offsets recover their claims (RECEIVABLE -> AVAILABLE of
   * the budget lines that overpaid), claims locked in id order.
   */
  async applyOffsets(manager: EntityManager, batchId: string): Promise<void> {
    await this.claimLedger.lockLedgerFirst(manager);
    const { offsets, byClaim, claims } = await this.reservedByClaim(manager, batchId);
    for (const claim of claims) {
      const amount = byClaim.get(claim.id)!;
      // Each offset recovers under its own key: a line the bank then fails is reversed alone.
      await this.claimLedger.settleMany(
        manager,
        claim,
        offsets
          .filter((o) => o.claim_id === claim.id)
          .map((o) => ({ amount: money(o.amount), key: offsetRecoveryKey(batchId, o.id) })),
        'RECOVERY',
      );
      await this.changeFigures(
        manager,
        claim,
        {
          recovered: formatMoney(money(claim.recovered).plus(amount)),
          reserved: formatMoney(money(claim.reserved).minus(amount)),
        },
        'overpayment.offset_recovered',
        { offset: formatMoney(amount), batchId },
      );
    }
    if (offsets.length > 0)
      await this.repository.setRecoveriesStatus(
        manager,
        offsets.map((o) => o.id),
        'DONE',
      );
  }

  /**
   * The bank failed lines of an approved batch (in the transaction that settles them): their
   * offsets never reached the household, so each is undone exactly (ClaimLedger.reverseOffsets):
   * the claim's recovered amount goes down by it (reopened OPEN or RECOVERING if it had closed),
   * its receivables are owed again on the same budget lines to the fen, and the offset part of the
   * paying budget is available again. The months are freed with the lines, so the batch that pays
   * them again offsets the claim again.
   */
  async reverseOffsets(
    manager: EntityManager,
    batch: OffsetBatch,
    policy: PolicyWithVersions,
    lineIds: string[],
  ): Promise<void> {
    if (lineIds.length === 0) return;
    const offsets = await this.repository.recoveredOffsets(manager, batch.id, lineIds);
    if (offsets.length === 0) return;
    await this.claimLedger.lockLedgerFirst(manager);
    // A reopened claim may merge with the one collecting for its beneficiary: both locked here, in id order.
    const claims = await this.repository.lockClaimsAndSiblings(manager, [...new Set(offsets.map((o) => o.claim_id))]);
    const reversed = await this.claimLedger.reverseOffsets(
      manager,
      claims.map((claim) => ({
        claim,
        keys: offsets.filter((o) => o.claim_id === claim.id).map((o) => offsetRecoveryKey(batch.id, o.id)),
      })),
      // Approval spends the offsets in one movement per share group: at most one per version.
      { batch, lineIds: [...new Set(offsets.map((o) => o.line_id!))], groups: policy.versions.length },
    );
    for (const closed of claims) {
      const amount = reversed.get(closed.id) ?? money(0);
      const recovered = formatMoney(money(closed.recovered).minus(amount));
      let claim = closed;
      if (!COLLECTING.includes(closed.status) && COLLECTING.includes(statusOf({ ...closed, recovered }))) {
        // Reopened: a claim opened meanwhile for the same beneficiary and policy joins it (one collects).
        const other = await this.repository.collectingClaim(manager, closed.policy_code, closed.beneficiary_key);
        if (other) claim = await this.absorb(manager, closed, other);
      }
      await this.changeFigures(
        manager,
        claim,
        { recovered: formatMoney(money(claim.recovered).minus(amount)) },
        'overpayment.offset_reversed',
        {
          reversed: formatMoney(amount),
          batchId: batch.id,
          lineIds: offsets.filter((o) => o.claim_id === claim.id).map((o) => o.line_id),
        },
      );
    }
    await this.repository.setRecoveriesStatus(
      manager,
      offsets.map((o) => o.id),
      'REVERSED',
    );
  }

  /**
   * Moves everything of `from` (periods, recoveries, receivables, figures) into `into`, which
   * collects from then on; `from` is left empty (WITHDRAWN). Ledger accounts are per budget line, so
   * nothing is posted. Audited on both claims.
   */
  private async absorb(manager: EntityManager, into: ClaimRow, from: ClaimRow): Promise<ClaimRow> {
    await this.repository.moveClaimContents(manager, from.id, into.id);
    await this.repository.updateClaim(manager, from.id, {
      amount: '0.00',
      recovered: '0.00',
      written_off: '0.00',
      reserved: '0.00',
      status: 'WITHDRAWN',
      closed_at: new Date(),
      write_off_reason: null,
      write_off_proposed_by: null,
    });
    const sum = (field: 'amount' | 'recovered' | 'written_off' | 'reserved') =>
      formatMoney(money(into[field]).plus(from[field]));
    const figures = {
      amount: sum('amount'),
      recovered: sum('recovered'),
      written_off: sum('written_off'),
      reserved: sum('reserved'),
    };
    const merged = await this.repository.updateClaim(manager, into.id, {
      ...figures,
      ...this.statusAfter(into, figures),
    });
    for (const [claim, detail] of [
      [from, { mergedInto: into.id }],
      [into, { merged: from.id }],
    ] as const) {
      await this.audit.record(manager, {
        action: 'overpayment.claims_merged',
        entityType: 'overpayment_claim',
        entityId: claim.id,
        regionCode: claim.region_code,
        before: { amount: claim.amount, recovered: claim.recovered, reserved: claim.reserved, status: claim.status },
        after: { ...detail, amount: merged.amount, recovered: merged.recovered, reserved: merged.reserved },
      });
    }
    // A proposal on either claim was for an amount that is no longer what the merged claim owes.
    for (const claim of [into, from])
      await this.auditStaleProposal(manager, claim, merged, 'overpayment.claims_merged');
    return merged;
  }

  /** The batch is rejected or cancelled: its reserved offsets are given back to their claims. */
  async releaseOffsets(manager: EntityManager, batchId: string): Promise<void> {
    const { offsets, byClaim, claims } = await this.reservedByClaim(manager, batchId);
    for (const claim of claims) {
      const amount = byClaim.get(claim.id)!;
      await this.repository.updateClaim(manager, claim.id, {
        reserved: formatMoney(money(claim.reserved).minus(amount)),
      });
      await this.audit.record(manager, {
        action: 'overpayment.offset_released',
        entityType: 'overpayment_claim',
        entityId: claim.id,
        regionCode: claim.region_code,
        after: { amount: formatMoney(amount), batchId },
      });
    }
    if (offsets.length > 0) {
      await this.repository.setRecoveriesStatus(
        manager,
        offsets.map((o) => o.id),
        'CANCELLED',
      );
    }
  }

  /** A batch's reserved offsets, their sum per claim, and those claims locked in id order. */
  private async reservedByClaim(manager: EntityManager, batchId: string) {
    const offsets = await this.repository.reservedOffsets(manager, batchId);
    const byClaim = new Map<string, Decimal>();
    for (const o of offsets) byClaim.set(o.claim_id, (byClaim.get(o.claim_id) ?? money(0)).plus(o.amount));
    const claims = offsets.length > 0 ? await this.repository.lockClaims(manager, [...byClaim.keys()]) : [];
    return { offsets, byClaim, claims };
  }

  /** Writes new figures of a locked claim with the status they give (closing it when settled), audited. */
  private async changeFigures(
    manager: EntityManager,
    claim: ClaimRow,
    figures: Partial<Pick<ClaimRow, 'amount' | 'recovered' | 'reserved'>>,
    action: string,
    detail: object,
  ): Promise<ClaimRow> {
    const next = this.statusAfter(claim, figures);
    const closed = CLOSED.includes(next.status);
    const updated = await this.repository.updateClaim(manager, claim.id, {
      ...figures,
      ...next,
      // Closed when settled; reopened (a reversed offset) when money is owed again.
      ...(closed && !claim.closed_at ? { closed_at: new Date() } : {}),
      ...(!closed && claim.closed_at ? { closed_at: null } : {}),
    });
    await this.audit.record(manager, {
      action,
      entityType: 'overpayment_claim',
      entityId: claim.id,
      regionCode: claim.region_code,
      before: { amount: claim.amount, recovered: claim.recovered, reserved: claim.reserved, status: claim.status },
      after: {
        amount: updated.amount,
        recovered: updated.recovered,
        reserved: updated.reserved,
        status: updated.status,
        ...detail,
      },
    });
    await this.auditStaleProposal(manager, claim, updated, action);
    return updated;
  }

  /**
   * The status new figures give a claim. A proposed write-off is for the amount outstanding when it
   * was proposed: if that changes (periods join or leave the claim, another claim merges into it, a
   * recovered offset is reversed), the proposal is stale and withdrawn (its reason and proposer
   * cleared; `auditStaleProposal` says why), and the claim is OPEN or RECOVERING again, to be
   * proposed anew for the new amount if need be.
   */
  private statusAfter(
    claim: ClaimRow,
    figures: Partial<Pick<ClaimRow, 'amount' | 'recovered' | 'written_off' | 'reserved'>>,
  ): { status: ClaimStatus; write_off_reason?: null; write_off_proposed_by?: null } {
    const stale =
      claim.status === 'WRITE_OFF_PROPOSED' && !outstandingOf({ ...claim, ...figures }).equals(outstandingOf(claim));
    if (!stale) return { status: statusOf({ ...claim, ...figures }) };
    return {
      status: statusOf({ ...claim, ...figures, status: 'OPEN' }),
      write_off_reason: null,
      write_off_proposed_by: null,
    };
  }

  /** Audits the withdrawal of a write-off proposal that `statusAfter` found stale (if it did). */
  private async auditStaleProposal(manager: EntityManager, before: ClaimRow, after: ClaimRow, cause: string) {
    if (before.status !== 'WRITE_OFF_PROPOSED' || after.status === 'WRITE_OFF_PROPOSED') return;
    await this.audit.record(manager, {
      action: 'overpayment.write_off_withdrawn',
      entityType: 'overpayment_claim',
      entityId: before.id,
      regionCode: before.region_code,
      before: {
        status: before.status,
        reason: before.write_off_reason,
        proposedBy: before.write_off_proposed_by,
        outstanding: formatMoney(outstandingOf(before)),
      },
      after: {
        status: after.status,
        outstanding: formatMoney(outstandingOf(after)),
        why: 'OUTSTANDING_CHANGED',
        cause,
      },
      actor: null,
    });
  }

  // ---- refunds and write-offs ----

  /** FINANCE records money the household paid back (receipt number and date). */
  async refund(
    actor: Actor,
    id: string,
    input: { amount: string; receiptNo: string; date: string },
  ): Promise<ClaimView> {
    return this.transactions.run(async (manager) => {
      await this.claimLedger.lockLedgerFirst(manager);
      const claim = await this.inScope(manager, actor, id, true);
      const earlier = await this.repository.findRefundByReceipt(manager, input.receiptNo);
      if (earlier) {
        // The same refund again (a retry) answers the claim as it is; another one is refused.
        if (earlier.claim_id === claim.id && money(earlier.amount).equals(input.amount))
          return this.view(manager, claim);
        throw new DuplicateReceiptError(input.receiptNo);
      }
      if (!['OPEN', 'RECOVERING'].includes(claim.status)) {
        throw new InvalidStateTransitionError('overpayment claim', claim.status, 'refunded');
      }
      const amount = money(input.amount);
      if (amount.greaterThan(unreservedOf(claim))) {
        throw new RefundExceedsOutstandingError(formatMoney(amount), formatMoney(unreservedOf(claim)));
      }
      const recoveryId = await this.repository.insertRecovery(manager, {
        claimId: claim.id,
        kind: 'REFUND',
        amount: formatMoney(amount),
        receiptNo: input.receiptNo,
        receivedOn: input.date,
        actorId: actor.id,
      });
      await this.claimLedger.settle(manager, claim, amount, 'RECOVERY', `refund:${recoveryId}`);
      const updated = await this.changeFigures(
        manager,
        claim,
        { recovered: formatMoney(money(claim.recovered).plus(amount)) },
        'overpayment.refunded',
        input,
      );
      return this.view(manager, updated);
    });
  }

  /** FINANCE or OFFICER proposes writing off what is outstanding, with a reason. */
  async proposeWriteOff(actor: Actor, id: string, reason: string): Promise<ClaimView> {
    return this.transactions.run(async (manager) => {
      const claim = await this.inScope(manager, actor, id, true);
      if (!['OPEN', 'RECOVERING'].includes(claim.status)) {
        throw new InvalidStateTransitionError('overpayment claim', claim.status, 'proposed for write-off');
      }
      if (money(claim.reserved).greaterThan(0)) throw new OffsetsPendingError(formatMoney(claim.reserved));
      const updated = await this.repository.updateClaim(manager, claim.id, {
        status: 'WRITE_OFF_PROPOSED',
        write_off_reason: reason,
        write_off_proposed_by: actor.id,
      });
      await this.audit.record(manager, {
        action: 'overpayment.write_off_proposed',
        entityType: 'overpayment_claim',
        entityId: claim.id,
        regionCode: claim.region_code,
        before: { status: claim.status },
        after: { status: updated.status, reason, outstanding: formatMoney(outstandingOf(updated)) },
      });
      return this.view(manager, updated);
    });
  }

  /** A FINANCE user other than the proposer approves: the outstanding amount is spent as a loss. */
  async approveWriteOff(actor: Actor, id: string): Promise<ClaimView> {
    return this.transactions.run(async (manager) => {
      await this.claimLedger.lockLedgerFirst(manager);
      const claim = await this.inScope(manager, actor, id, true);
      if (claim.status !== 'WRITE_OFF_PROPOSED') {
        throw new InvalidStateTransitionError('overpayment claim', claim.status, 'written off');
      }
      if (claim.write_off_proposed_by === actor.id) throw new WriteOffSelfApprovalError();
      const amount = outstandingOf(claim);
      if (amount.greaterThan(0)) {
        const recoveryId = await this.repository.insertRecovery(manager, {
          claimId: claim.id,
          kind: 'WRITE_OFF',
          amount: formatMoney(amount),
          reason: claim.write_off_reason,
          actorId: actor.id,
        });
        await this.claimLedger.settle(manager, claim, amount, 'WRITE_OFF', `write-off:${recoveryId}`);
      }
      const writtenOff = formatMoney(money(claim.written_off).plus(amount));
      const updated = await this.repository.updateClaim(manager, claim.id, {
        written_off: writtenOff,
        status: statusOf({ ...claim, written_off: writtenOff }),
        write_off_approved_by: actor.id,
        closed_at: new Date(),
      });
      await this.audit.record(manager, {
        action: 'overpayment.written_off',
        entityType: 'overpayment_claim',
        entityId: claim.id,
        regionCode: claim.region_code,
        before: { status: claim.status, outstanding: formatMoney(amount) },
        after: { status: updated.status, writtenOff: updated.written_off, proposedBy: claim.write_off_proposed_by },
      });
      return this.view(manager, updated);
    });
  }

  /**
   * A FINANCE user other than the proposer (the checker of a maker-checker pair) rejects a proposed
   * write-off with a reason: the claim returns to OPEN or RECOVERING, the proposal's reason and
   * proposer are cleared (the audit trail keeps them) and a new proposal may follow.
   */
  async rejectWriteOff(actor: Actor, id: string, reason: string): Promise<ClaimView> {
    return this.transactions.run(async (manager) => {
      const claim = await this.inScope(manager, actor, id, true);
      if (claim.status !== 'WRITE_OFF_PROPOSED') {
        throw new InvalidStateTransitionError('overpayment claim', claim.status, 'rejected for write-off');
      }
      if (claim.write_off_proposed_by === actor.id) throw new WriteOffSelfApprovalError();
      const updated = await this.repository.updateClaim(manager, claim.id, {
        status: statusOf({ ...claim, status: 'OPEN' }),
        write_off_reason: null,
        write_off_proposed_by: null,
      });
      await this.audit.record(manager, {
        action: 'overpayment.write_off_rejected',
        entityType: 'overpayment_claim',
        entityId: claim.id,
        regionCode: claim.region_code,
        before: { status: claim.status, reason: claim.write_off_reason, proposedBy: claim.write_off_proposed_by },
        after: { status: updated.status, rejectReason: reason, outstanding: formatMoney(outstandingOf(updated)) },
      });
      return this.view(manager, updated);
    });
  }

  // ---- reading ----

  async get(actor: Actor, id: string): Promise<ClaimView> {
    const manager = this.transactions.dataSource.manager;
    return this.view(manager, await this.inScope(manager, actor, id));
  }

  async list(
    actor: Actor,
    filter: { status?: string; regionCode?: string; householdId?: string },
    page: { limit: number; cursor?: string },
  ): Promise<Page<ClaimView>> {
    const manager = this.transactions.dataSource.manager;
    const after = decodeCursor(page.cursor, [cursorPart.int8Text])?.[0];
    const rows = await this.repository.listClaims(
      manager,
      filter,
      new RegionScope(actor.regionCode),
      after,
      page.limit,
    );
    const shown = rows.slice(0, page.limit);
    const ids = shown.map((row) => row.id);
    const lines = await this.repository.claimLines(manager, ids);
    const recoveries = await this.repository.recoveries(manager, ids);
    const usernames = await this.repository.usernames(manager, [...new Set(shown.flatMap(writeOffUsers))]);
    const views = new Map(
      shown.map((row) => [
        row.id,
        toClaimView(
          row,
          lines.filter((l) => l.claim_id === row.id),
          recoveries.filter((r) => r.claim_id === row.id),
          usernames,
        ),
      ]),
    );
    return toPage(
      rows,
      page.limit,
      (row) => [row.claim_no],
      (row) => views.get(row.id)!,
    );
  }

  /** One claim with its periods, recoveries and history. */
  private async view(manager: EntityManager, claim: ClaimRow): Promise<ClaimView> {
    const view = toClaimView(
      claim,
      await this.repository.claimLines(manager, [claim.id]),
      await this.repository.recoveries(manager, [claim.id]),
      await this.repository.usernames(manager, writeOffUsers(claim)),
    );
    const history = (await this.repository.claimHistory(manager, claim.id)).map((event) => ({
      id: event.id,
      at: event.occurred_at.toISOString(),
      action: event.action,
      actorUsername: event.actor_username,
      actorRole: event.actor_role,
      before: event.before,
      after: event.after,
    }));
    return { ...view, history };
  }

  private async inScope(manager: EntityManager, actor: Actor, id: string, lock = false): Promise<ClaimRow> {
    const claim = /^[0-9a-f-]{36}$/i.test(id) ? await this.repository.findClaim(manager, id, lock) : undefined;
    if (!claim || !new RegionScope(actor.regionCode).covers(claim.region_code)) {
      throw new NotFoundError('Overpayment claim', id);
    }
    return claim;
  }
}

/**
 * The share of a line an offset may take: the policy version's `offsetShare` when it names one,
 * else DEFAULT_OFFSET_SHARE.
 */
export function offsetShareOf(policy: PolicyWithVersions, versionId: string | undefined): Decimal {
  const share = policy.versions.find((v) => v.id === versionId)?.offsetShare;
  if (share !== undefined) {
    const value = money(share);
    if (value.isFinite() && value.greaterThanOrEqualTo(0) && value.lessThanOrEqualTo(1)) return value;
  }
  return money(DEFAULT_OFFSET_SHARE);
}
