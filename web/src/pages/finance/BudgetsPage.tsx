import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, Row, Select, Table } from 'antd';
import { Decimal } from 'decimal.js';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, request, unwrap } from '../../api/client';
import type { PolicyCode } from '../../api/types';
import { useUser } from '../../auth/session';
import { Money, PageHead } from '../../components/common';
import { YearAndPolicyFilters } from '../../components/filters';
import { ProblemAlert, showFieldProblems } from '../../components/problem';
import { FUNDING_LEVEL, label, POLICY } from '../../i18n/labels';
import { idempotencyKey, thisYear, type BudgetLine } from './finance-api';

const EChart = lazy(() => import('../audit/EChart'));

type Level = BudgetLine['fundingLevel'];

interface AppropriationValues {
  policyCode: PolicyCode;
  fundingLevel: Level;
  countyCode: string;
  amount: string;
}

const sum = (rows: BudgetLine[], key: 'appropriated' | 'committed' | 'spent' | 'available') =>
  rows.reduce((total, row) => total.plus(row[key]), new Decimal(0)).toFixed(2);

/** 预算指标: a fiscal year's budget lines, their execution as a table and a chart, and appropriation. */
export default function BudgetsPage() {
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const fiscalYear = Number(params.get('fiscalYear') ?? thisYear());
  const policyCode = params.get('policyCode') ?? undefined;
  const set = (key: string, value?: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const lines = useQuery({
    queryKey: ['budgets', fiscalYear, policyCode],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/budgets', {
          params: { query: { fiscalYear, policyCode: policyCode as PolicyCode | undefined, limit: 500 as never } },
        }),
      ),
  });
  const rows = lines.data?.items ?? [];

  return (
    <>
      <PageHead title={`${fiscalYear} 年度预算指标`} />
      <YearAndPolicyFilters
        fiscalYear={fiscalYear}
        policyCode={policyCode}
        onYear={(year) => set('fiscalYear', String(year))}
        onPolicy={(code) => set('policyCode', code)}
      />
      {user.role === 'FINANCE' && (
        <AppropriationForm fiscalYear={fiscalYear} countyCode={user.regionCode.slice(0, 6)} />
      )}
      <Card title="预算执行（按政策、资金层级和县区）" style={{ marginBottom: 16 }}>
        <ProblemAlert error={lines.error} />
        <Table<BudgetLine>
          rowKey={(r) => `${r.policyCode}:${r.fundingLevel}:${r.countyCode}`}
          size="small"
          loading={lines.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: true }}
          locale={{ emptyText: '本年度尚未下达预算指标' }}
          summary={() =>
            rows.length > 0 && (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0} colSpan={3}>
                  合计
                </Table.Summary.Cell>
                {(['appropriated', 'committed', 'spent', 'available'] as const).map((key, i) => (
                  <Table.Summary.Cell key={key} index={3 + i} align="right">
                    <Money value={sum(rows, key)} />
                  </Table.Summary.Cell>
                ))}
                <Table.Summary.Cell index={7} />
              </Table.Summary.Row>
            )
          }
          columns={[
            { title: '政策', dataIndex: 'policyCode', render: (v: string) => label(POLICY, v) },
            { title: '资金层级', dataIndex: 'fundingLevel', render: (v: string) => label(FUNDING_LEVEL, v) },
            { title: '县区', dataIndex: 'countyCode' },
            { title: '指标', dataIndex: 'appropriated', align: 'right', render: (v: string) => <Money value={v} /> },
            { title: '已占用', dataIndex: 'committed', align: 'right', render: (v: string) => <Money value={v} /> },
            { title: '已支出', dataIndex: 'spent', align: 'right', render: (v: string) => <Money value={v} /> },
            { title: '可用', dataIndex: 'available', align: 'right', render: (v: string) => <Money value={v} /> },
            {
              title: '执行率',
              align: 'right',
              render: (_, r) =>
                new Decimal(r.appropriated).isZero()
                  ? '—'
                  : `${new Decimal(r.spent).div(r.appropriated).times(100).toFixed(1)}%`,
            },
          ]}
        />
      </Card>
      {rows.length > 0 && (
        <Card title="预算执行图（按政策）">
          <Suspense fallback={<div style={{ height: 320 }} />}>
            <ExecutionChart rows={rows} />
          </Suspense>
        </Card>
      )}
    </>
  );
}

/** Stacked bars per policy: spent, committed and available add up to what was appropriated. */
function ExecutionChart({ rows }: { rows: BudgetLine[] }) {
  const option = useMemo(() => {
    const policies = [...new Set(rows.map((r) => r.policyCode))];
    const series = (['spent', 'committed', 'available'] as const).map((key) => ({
      name: { spent: '已支出', committed: '已占用', available: '可用' }[key],
      type: 'bar',
      stack: 'budget',
      data: policies.map((p) =>
        Number(
          sum(
            rows.filter((r) => r.policyCode === p),
            key,
          ),
        ),
      ),
    }));
    return {
      color: ['#b5251d', '#d48806', '#8c8c8c'],
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 16, right: 16, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: 'value', name: '元' },
      yAxis: { type: 'category', data: policies.map((p) => label(POLICY, p)) },
      series,
    };
  }, [rows]);
  const summary = `${rows.length} 条预算指标，合计指标 ${sum(rows, 'appropriated')} 元，已支出 ${sum(rows, 'spent')} 元，已占用 ${sum(rows, 'committed')} 元，可用 ${sum(rows, 'available')} 元`;
  return (
    <EChart
      option={option}
      label="预算执行图"
      summary={summary}
      height={Math.max(200, 80 + 48 * new Set(rows.map((r) => r.policyCode)).size)}
    />
  );
}

/** 下达预算指标: one appropriation, sent with an Idempotency-Key made once per submit. */
function AppropriationForm({ fiscalYear, countyCode }: { fiscalYear: number; countyCode: string }) {
  const [form] = Form.useForm<AppropriationValues>();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [done, setDone] = useState<string>();
  const appropriate = useMutation({
    mutationFn: ({ values, key }: { values: AppropriationValues; key: string }) =>
      request<{ transferId: string; amount: string }>(
        'POST',
        '/budgets/appropriations',
        { ...values, fiscalYear, amount: values.amount.trim() },
        { 'Idempotency-Key': key },
      ),
    onSuccess: async (result, { values }) => {
      setDone(
        `已下达 ${fiscalYear} 年 ${label(POLICY, values.policyCode)} ${label(FUNDING_LEVEL, values.fundingLevel)}资金 ¥${result.amount}（记账凭证 ${result.transferId}）`,
      );
      void message.success('预算指标已下达');
      form.resetFields(['amount']);
      await queryClient.invalidateQueries({ queryKey: ['budgets'] });
    },
    onError: (error) => showFieldProblems(form, error),
  });
  return (
    <Card title={`下达 ${fiscalYear} 年度预算指标`} style={{ marginBottom: 16 }}>
      <ProblemAlert error={appropriate.error} fieldsShown />
      {done && <Alert type="success" showIcon role="status" style={{ marginBottom: 16 }} title={done} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ countyCode, fundingLevel: 'CENTRAL' }}
        onFinish={(values) => {
          setDone(undefined);
          appropriate.mutate({ values, key: idempotencyKey() });
        }}
      >
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item label="指标所属政策" name="policyCode" rules={[{ required: true, message: '请选择政策' }]}>
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                options={Object.entries(POLICY).map(([value, text]) => ({ value, label: text }))}
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item label="资金层级" name="fundingLevel" rules={[{ required: true }]}>
              <Select options={Object.entries(FUNDING_LEVEL).map(([value, text]) => ({ value, label: text }))} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item
              label="县区代码"
              name="countyCode"
              rules={[{ required: true, pattern: /^\d{6}$/, message: '县区代码为 6 位数字' }]}
            >
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} md={5}>
            <Form.Item
              label="金额（元）"
              name="amount"
              rules={[
                { required: true, message: '请填写金额' },
                { pattern: /^\s*\d{1,12}(\.\d{1,2})?\s*$/, message: '金额为正数，最多两位小数' },
              ]}
            >
              <Input inputMode="decimal" placeholder="如 100000.00" />
            </Form.Item>
          </Col>
          <Col xs={24} md={3}>
            <Form.Item label=" " colon={false}>
              <Button type="primary" htmlType="submit" loading={appropriate.isPending}>
                下达指标
              </Button>
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Card>
  );
}
