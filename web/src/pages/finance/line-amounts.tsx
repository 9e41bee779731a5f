import type { TableColumnsType } from 'antd';
import { Money } from '../../components/common';

/** A payment line's money: what it is owed, what was kept back for overpayment claims, what the bank pays. */
interface LineAmounts {
  grossAmount: string;
  offsetAmount: string;
  amount: string;
}

/** The gross, offset and net columns of a batch's lines (finance's batch page and the auditor's trace). */
export function amountColumns<T extends LineAmounts>(): TableColumnsType<T> {
  return [
    { title: '应发', dataIndex: 'grossAmount', align: 'right', render: (v: string) => <Money value={v} /> },
    {
      title: '抵扣',
      dataIndex: 'offsetAmount',
      align: 'right',
      render: (v: string) => (v === '0.00' ? '—' : <Money value={v} />),
    },
    { title: '实发', dataIndex: 'amount', align: 'right', render: (v: string) => <Money value={v} /> },
  ];
}
