/** The auditor's traces, as src/modules/audit/trace.service.ts answers them. */

export interface TransferTrace {
  id: string;
  code: string;
  amount: string;
  fundingLevel: string | null;
  debitAccount: { id: string; code: string };
  creditAccount: { id: string; code: string };
  blockSeq: string;
  createdAt: string;
}

export interface HouseholdTrace {
  household: { id: string; householdNo: string; regionCode: string };
  payments: {
    lineId: string;
    lineNo: number;
    batchId: string;
    batchNo: string;
    batchStatus: string;
    policyCode: string;
    period: string;
    fiscalYear: number;
    periods: string[];
    personId: string | null;
    enrollmentId: string | null;
    amount: string;
    status: string;
    bankRef: string | null;
    reason: string | null;
    settledAt: string | null;
    bankCode: string;
    accountNo: string;
    paid: string;
    released: string;
    transfers: TransferTrace[];
  }[];
  totals: { lines: number; paid: string; failed: string; pending: string; ledgerPaid: string; ledgerReleased: string };
  enrollments: {
    id: string;
    policyCode: string;
    personId: string | null;
    status: string;
    approvedAt: string | null;
    activeFrom: string | null;
  }[];
}

export interface BatchTrace {
  batch: {
    id: string;
    batchNo: string;
    policyCode: string;
    period: string;
    fiscalYear: number;
    countyCode: string;
    status: string;
    lineCount: number;
    totalAmount: string;
    createdBy: { id: string; username: string | null; at: string };
    submitted: { by: string; username: string | null; at: string | null } | null;
    approval: { approvedBy: string; username: string | null; approvedAt: string | null } | null;
    rejection: { rejectedBy: string; rejectedAt: string | null; reason: string | null } | null;
    bankFileSha256: string | null;
    exportedAt: string | null;
    settledAt: string | null;
    closedAt: string | null;
  };
  budgetLines: {
    fundingLevel: string;
    appropriated: string;
    committed: string;
    spent: string;
    available: string;
    thisBatch: { committed: string; spent: string; released: string; stillCommitted: string };
  }[];
  transfers: { code: string; fundingLevel: string | null; count: number; amount: string }[];
  lineResults: { status: string; count: number; amount: string }[];
  totals: Record<string, string>;
  consistent: boolean;
  differences: { check: string; expected: string; actual: string; difference: string }[];
  lines: {
    items: {
      id: string;
      lineNo: number;
      householdId: string;
      personId: string | null;
      periods: string[];
      /** What the line is owed; the offset kept back for overpayment claims; amount is the net. */
      grossAmount: string;
      offsetAmount: string;
      amount: string;
      status: string;
      bankRef: string | null;
      reason: string | null;
      settledAt: string | null;
      paid: string;
      released: string;
    }[];
    nextCursor: string | null;
  };
}

/** Ledger transfer codes in words. */
export const TRANSFER_CODE: Record<string, string> = {
  APPROPRIATION: '下达指标',
  REVERSAL: '冲销',
  COMMITMENT: '审批占用',
  PAYMENT: '银行支付',
  RELEASE: '失败释放',
};

/** Ledger account codes in words. */
export const ACCOUNT_CODE: Record<string, string> = {
  FUNDING: '资金来源',
  AVAILABLE: '可用',
  COMMITTED: '已占用',
  SPENT: '已支出',
};
