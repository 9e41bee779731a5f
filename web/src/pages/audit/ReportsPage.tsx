import { useMutation, useQuery } from '@tanstack/react-query';
import { Button, Card, Table, Tabs } from 'antd';
import { lazy, Suspense, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { download, request } from '../../api/client';
import { Money, PageHead } from '../../components/common';
import { YearAndPolicyFilters } from '../../components/filters';
import { ProblemAlert } from '../../components/problem';
import { FUNDING_LEVEL, label, POLICY } from '../../i18n/labels';
import { thisYear, type Report } from '../finance/finance-api';

const EChart = lazy(() => import('./EChart'));

const REPORTS: { key: string; title: string }[] = [
  { key: 'budget-execution', title: '预算执行' },
  { key: 'beneficiaries', title: '享受对象' },
  { key: 'failed-payments', title: '发放失败' },
  { key: 'arrears', title: '补发欠发' },
  { key: 'overpayments', title: '多付追回' },
];

/** src/modules/reports/spending.ts SpendingDto. */
interface Spending {
  fiscalYear: number;
  items: { month: string; policyCode: string; lines: number; amount: string }[];
  total: string;
}

/** A cell as the report typed it: money with the yuan sign, codes in words. */
function cell(kind: string, key: string, value: unknown) {
  if (value === null || value === undefined) return '—';
  if (kind === 'money') return <Money value={String(value)} />;
  if (kind === 'rate') return `${(Number(value) * 100).toFixed(2)}%`;
  if (key === 'policyCode') return label(POLICY, String(value));
  if (key === 'fundingLevel') return label(FUNDING_LEVEL, String(value));
  return String(value);
}

/** 统计报表: the reports shown in the page, downloaded as CSV or XLSX, and spending by month. */
export default function ReportsPage() {
  const [params, setParams] = useSearchParams();
  const name = params.get('report') ?? 'budget-execution';
  const fiscalYear = Number(params.get('fiscalYear') ?? thisYear());
  const policyCode = params.get('policyCode') ?? undefined;
  const set = (key: string, value?: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const query = new URLSearchParams({ fiscalYear: String(fiscalYear), ...(policyCode ? { policyCode } : {}) });
  const report = useQuery({
    queryKey: ['report', name, query.toString()],
    queryFn: () => request<Report>('GET', `/reports/${name}?${query}&format=json`),
  });
  const spending = useQuery({
    queryKey: ['spending', query.toString()],
    queryFn: () => request<Spending>('GET', `/reports/spending?${query}`),
  });
  const save = useMutation({
    mutationFn: (format: 'csv' | 'xlsx') =>
      download(`/reports/${name}?${query}&format=${format}`, `${name}-${fiscalYear}.${format}`),
  });
  const r = report.data;

  return (
    <>
      <PageHead
        title="统计报表"
        extra={
          <>
            <Button loading={save.isPending && save.variables === 'csv'} onClick={() => save.mutate('csv')}>
              下载 CSV
            </Button>
            <Button
              type="primary"
              loading={save.isPending && save.variables === 'xlsx'}
              onClick={() => save.mutate('xlsx')}
            >
              下载 Excel（XLSX）
            </Button>
          </>
        }
      />
      <YearAndPolicyFilters
        fiscalYear={fiscalYear}
        policyCode={policyCode}
        onYear={(year) => set('fiscalYear', String(year))}
        onPolicy={(code) => set('policyCode', code)}
      />
      <ProblemAlert error={save.error} />
      <Card style={{ marginBottom: 16 }}>
        <Tabs
          activeKey={name}
          onChange={(key) => set('report', key)}
          items={REPORTS.map((t) => ({ key: t.key, label: t.title }))}
        />
        <ProblemAlert error={report.error} />
        <Table<Record<string, unknown>>
          rowKey={(_, i) => String(i)}
          size="small"
          loading={report.isLoading}
          dataSource={r?.items ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: true }}
          locale={{ emptyText: '本年度没有数据' }}
          columns={(r?.columns ?? [])
            .filter((c) => !['lineId', 'personId'].includes(c.key))
            .map((c) => ({
              key: c.key,
              title: c.header,
              dataIndex: c.key,
              align: c.kind === 'text' ? ('left' as const) : ('right' as const),
              onCell: () => ({ style: { whiteSpace: 'nowrap' as const } }),
              render: (v: unknown) => cell(c.kind, c.key, v),
            }))}
          summary={() =>
            r && r.items.length > 0 ? (
              <Table.Summary.Row>
                {r.columns
                  .filter((c) => !['lineId', 'personId'].includes(c.key))
                  .map((c, i) => (
                    <Table.Summary.Cell key={c.key} index={i} align={c.kind === 'text' ? 'left' : 'right'}>
                      {i === 0 ? '合计' : r.totals[c.key] !== undefined ? cell(c.kind, c.key, r.totals[c.key]) : ''}
                    </Table.Summary.Cell>
                  ))}
              </Table.Summary.Row>
            ) : null
          }
        />
      </Card>
      <Card title={`${fiscalYear} 年按月、按政策的支出`}>
        <ProblemAlert error={spending.error} />
        {spending.data && spending.data.items.length === 0 && <p>本年度尚无银行已支付的发放。</p>}
        {spending.data && spending.data.items.length > 0 && (
          <Suspense fallback={<div style={{ height: 320 }} />}>
            <SpendingChart spending={spending.data} />
          </Suspense>
        )}
      </Card>
    </>
  );
}

/** Bars per month, one series per policy, stacked: what the bank paid each month. */
function SpendingChart({ spending }: { spending: Spending }) {
  const option = useMemo(() => {
    const months = [...new Set(spending.items.map((i) => i.month))].sort();
    const policies = [...new Set(spending.items.map((i) => i.policyCode))];
    return {
      color: ['#b5251d', '#0750c4', '#d48806', '#389e0d', '#722ed1', '#08979c'],
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 16, right: 16, bottom: 8, top: 48, containLabel: true },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', name: '元' },
      series: policies.map((p) => ({
        name: label(POLICY, p),
        type: 'bar',
        stack: 'spending',
        data: months.map((m) => Number(spending.items.find((i) => i.month === m && i.policyCode === p)?.amount ?? 0)),
      })),
    };
  }, [spending]);
  const summary = spending.items.map((i) => `${i.month} ${label(POLICY, i.policyCode)} ${i.amount} 元`).join('；');
  return (
    <>
      <EChart option={option} label="按月支出图" summary={`全年合计 ${spending.total} 元：${summary}`} />
      <p style={{ marginBottom: 0 }}>
        全年银行已支付合计 <Money value={spending.total} />。
      </p>
    </>
  );
}
