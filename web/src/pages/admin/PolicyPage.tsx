import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Descriptions, Form, Input, Row, Space, Table } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { Schemas } from '../../api/types';
import { PageHead, ToneTag } from '../../components/common';
import { problemOf, ProblemAlert } from '../../components/problem';
import { FUNDING_LEVEL, label, POLICY } from '../../i18n/labels';
import { FREQUENCY, useFacts } from './PoliciesPage';
import { amountText, ruleSentences, sharesText, type Fact } from './policy-text';

type Version = Schemas['PolicyVersionDto'];

const LEVELS = ['CENTRAL', 'PROVINCIAL', 'MUNICIPAL', 'COUNTY'] as const;

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** 政策详情: every version of one policy in words, and a new version added. */
export default function PolicyPage() {
  const { code = '' } = useParams();
  const facts = useFacts();
  const policy = useQuery({
    queryKey: ['policy', code],
    queryFn: () => unwrap(api.GET('/api/v1/policies/{code}', { params: { path: { code } } })),
  });
  const p = policy.data;
  if (policy.error) return <ProblemAlert error={policy.error} />;
  if (!p) return <Card loading />;
  const versions = [...p.versions].sort((a, b) => b.versionNo - a.versionNo);
  const factList = facts.data ?? [];
  return (
    <>
      <PageHead
        title={label(POLICY, p.code)}
        crumbs={[{ title: '政策管理', to: '/admin/policies' }, { title: p.code }]}
      />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card>
          <Descriptions column={{ xs: 1, md: 3 }} size="small">
            <Descriptions.Item label="代码">{p.code}</Descriptions.Item>
            <Descriptions.Item label="发放方式">{FREQUENCY[p.frequency] ?? p.frequency}</Descriptions.Item>
            <Descriptions.Item label="享受单位">{p.unit === 'PERSON' ? '按人' : '按户'}</Descriptions.Item>
          </Descriptions>
        </Card>
        <Card title="各版本">
          <Table<Version>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={versions}
            scroll={{ x: true }}
            columns={[
              { title: '版本', dataIndex: 'versionNo', width: 70, render: (v: number) => `第 ${v} 版` },
              {
                title: '适用期间',
                render: (_, v) => `${v.effectiveFrom} 至 ${v.effectiveTo ?? '今'}`,
                onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
              },
              {
                title: '享受条件',
                dataIndex: 'rule',
                render: (rule: unknown) => (
                  <ol style={{ margin: 0, paddingLeft: 18 }}>
                    {ruleSentences(rule, factList).map((sentence, i) => (
                      <li key={i}>{sentence}</li>
                    ))}
                  </ol>
                ),
              },
              { title: '标准', dataIndex: 'amount', render: (a: unknown) => amountText(a, factList) },
              { title: '资金分担', dataIndex: 'fundingShares', render: (s: unknown) => sharesText(s) },
              {
                title: '使用情况',
                render: (_, v) =>
                  v.usedAt ? (
                    <ToneTag tone="warning">已用于发放，至 {v.paidThrough}</ToneTag>
                  ) : (
                    <ToneTag tone="neutral">尚未用于发放</ToneTag>
                  ),
              },
            ]}
          />
        </Card>
        <NewVersion code={p.code} latest={versions[0]} facts={factList} />
      </Space>
    </>
  );
}

interface Values {
  effectiveFrom: string;
  rule: string;
  amount: string;
  shares: Record<string, string>;
}

/** 新增版本: the rule and amount as JSON, the shares by level; the server's problems at their paths. */
function NewVersion({ code, latest, facts }: { code: string; latest?: Version; facts: Fact[] }) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [preview, setPreview] = useState<string[]>();
  const add = useMutation({
    mutationFn: (body: Schemas['CreatePolicyVersionDto']) =>
      unwrap(api.POST('/api/v1/policies/{code}/versions', { params: { path: { code } }, body })),
    onSuccess: async (version) => {
      void message.success(`已新增第 ${version.versionNo} 版，${version.effectiveFrom} 起施行`);
      await queryClient.invalidateQueries({ queryKey: ['policy', code] });
      await queryClient.invalidateQueries({ queryKey: ['policies'] });
    },
    onError: (error) => {
      // Each problem at the field its JSON path starts with, the path itself written before it.
      const byField = new Map<string, string[]>();
      for (const e of problemOf(error)?.errors ?? []) {
        if (!e.field) continue;
        const top = e.field.split(/[.[]/)[0];
        const name = top === 'fundingShares' ? 'fundingShares' : top;
        byField.set(name, [...(byField.get(name) ?? []), `${e.field}：${e.message}`]);
      }
      form.setFields(
        [...byField].map(([name, errors]) => ({
          name: (name === 'fundingShares' ? ['shares', 'CENTRAL'] : [name]) as never,
          errors,
        })),
      );
    },
  });
  const parse = (text: string, field: 'rule' | 'amount'): unknown => {
    try {
      return JSON.parse(text);
    } catch (e) {
      form.setFields([{ name: field, errors: [`不是有效的 JSON：${(e as Error).message}`] }]);
      return undefined;
    }
  };
  return (
    <Card title="新增版本">
      <ProblemAlert error={add.error} fieldsShown />
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{
          rule: pretty(latest?.rule ?? { all: [] }),
          amount: pretty(latest?.amount ?? { kind: 'FIXED', amount: '0.00' }),
          shares: Object.fromEntries(
            LEVELS.map((level) => [level, String((latest?.fundingShares as Record<string, unknown>)?.[level] ?? '0')]),
          ),
        }}
        onValuesChange={(changed: Partial<Values>) => {
          if (changed.rule === undefined) return;
          try {
            setPreview(ruleSentences(JSON.parse(changed.rule), facts));
          } catch {
            setPreview(undefined);
          }
        }}
        onFinish={(v) => {
          const rule = parse(v.rule, 'rule');
          const amount = parse(v.amount, 'amount');
          if (rule === undefined || amount === undefined) return;
          const fundingShares = Object.fromEntries(
            LEVELS.filter((level) => Number(v.shares[level]) > 0).map((level) => [level, v.shares[level].trim()]),
          );
          add.mutate({
            effectiveFrom: v.effectiveFrom.trim(),
            rule: rule as never,
            amount: amount as never,
            fundingShares: fundingShares as never,
          });
        }}
      >
        <Form.Item
          label="施行日期"
          name="effectiveFrom"
          rules={[{ required: true, pattern: /^\s*\d{4}-\d{2}-\d{2}\s*$/, message: '日期为 YYYY-MM-DD' }]}
        >
          <Input style={{ width: 160 }} placeholder="如 2027-01-01" />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} lg={14}>
            <Form.Item
              label="享受条件（JSON）"
              name="rule"
              rules={[{ required: true }]}
              extra={preview && <span>读作：{preview.join(' ')}</span>}
            >
              <Input.TextArea rows={12} spellCheck={false} style={{ fontFamily: 'monospace' }} />
            </Form.Item>
          </Col>
          <Col xs={24} lg={10}>
            <Form.Item label="标准（JSON）" name="amount" rules={[{ required: true }]}>
              <Input.TextArea rows={5} spellCheck={false} style={{ fontFamily: 'monospace' }} />
            </Form.Item>
            <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
              <legend style={{ fontSize: 15, marginBottom: 8 }}>资金分担比例（合计为 1）</legend>
              <Row gutter={8}>
                {LEVELS.map((level) => (
                  <Col span={12} key={level}>
                    <Form.Item label={`${label(FUNDING_LEVEL, level)}比例`} name={['shares', level]}>
                      <Input inputMode="decimal" />
                    </Form.Item>
                  </Col>
                ))}
              </Row>
            </fieldset>
          </Col>
        </Row>
        <Button type="primary" htmlType="submit" loading={add.isPending}>
          新增版本
        </Button>
      </Form>
    </Card>
  );
}
