import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Form, Input, List, Select } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { request } from '../../api/client';
import type { Batch, Page, PolicyCode } from '../../api/types';
import { useUser } from '../../auth/session';
import { PageHead } from '../../components/common';
import { ProblemAlert, showFieldProblems } from '../../components/problem';
import { label, POLICY } from '../../i18n/labels';
import { batchesToCreate } from '../tasks/tasks';

interface Values {
  policyCode: PolicyCode;
  period: string;
  countyCode: string;
}

/** 新建发放批次: the server generates its lines in the background; the batch page shows the progress. */
export default function NewBatchPage() {
  const user = useUser();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const toCreate = useQuery({ queryKey: ['batches-to-create'], queryFn: batchesToCreate });
  const policies = useQuery({
    queryKey: ['policies'],
    queryFn: () =>
      request<Page<{ code: string; benefitKind: string; frequency: string }>>('GET', '/policies?limit=100'),
  });
  const create = useMutation({
    mutationFn: (body: Values) => request<{ batch: Batch; jobId: string }>('POST', '/disbursement-batches', body),
    onSuccess: ({ batch }) => {
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
      void queryClient.invalidateQueries({ queryKey: ['batches-to-create'] });
      void navigate(`/batches/${batch.id}`);
    },
    onError: (e) => showFieldProblems(form, e),
  });
  const cash = (policies.data?.items ?? []).filter((p) => p.benefitKind !== 'NON_CASH');
  const frequency = Form.useWatch('policyCode', form);
  const monthly = cash.find((p) => p.code === frequency)?.frequency === 'MONTHLY';

  return (
    <>
      <PageHead title="新建发放批次" crumbs={[{ title: '发放批次', to: '/batches' }, { title: '新建' }]} />
      <Card style={{ maxWidth: 640 }}>
        <ProblemAlert error={create.error} fieldsShown />
        <Form
          form={form}
          layout="vertical"
          initialValues={{
            countyCode: params.get('countyCode') ?? user.regionCode.slice(0, 6),
            ...(params.get('policyCode') ? { policyCode: params.get('policyCode') as PolicyCode } : {}),
            ...(params.get('period') ? { period: params.get('period')! } : {}),
          }}
          onFinish={(v) => create.mutate({ ...v, period: v.period.trim() })}
        >
          <Form.Item label="政策" name="policyCode" rules={[{ required: true, message: '请选择政策' }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              loading={policies.isLoading}
              options={cash.map((p) => ({ value: p.code, label: label(POLICY, p.code) }))}
            />
          </Form.Item>
          <Form.Item
            label="发放期间"
            name="period"
            extra={monthly ? '按月发放：填年月，如 2026-11' : '按年或一次性发放：填年份，如 2026；按月发放的填年月'}
            rules={[{ required: true, pattern: /^\d{4}(-(0[1-9]|1[0-2]))?$/, message: '期间为 YYYY 或 YYYY-MM' }]}
          >
            <Input style={{ width: 160 }} />
          </Form.Item>
          <Form.Item
            label="县区代码"
            name="countyCode"
            rules={[{ required: true, pattern: /^\d{6}$/, message: '县区代码为 6 位数字' }]}
          >
            <Input style={{ width: 160 }} inputMode="numeric" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            生成批次
          </Button>
        </Form>
      </Card>
      {(toCreate.data?.items.length ?? 0) > 0 && (
        <Card title="本期待建的批次（有享受中的申请、尚无本期批次）" style={{ maxWidth: 640, marginTop: 16 }}>
          <List
            size="small"
            dataSource={toCreate.data!.items}
            renderItem={(b) => (
              <List.Item
                actions={[
                  <Button
                    key="fill"
                    size="small"
                    aria-label={`填入：${label(POLICY, b.policyCode)} ${b.period} ${b.countyCode}`}
                    onClick={() =>
                      form.setFieldsValue({
                        policyCode: b.policyCode as PolicyCode,
                        period: b.period,
                        countyCode: b.countyCode,
                      })
                    }
                  >
                    填入
                  </Button>,
                ]}
              >
                {label(POLICY, b.policyCode)} · {b.period} · 县区 {b.countyCode}（{b.enrollments} 件享受中）
              </List.Item>
            )}
          />
        </Card>
      )}
    </>
  );
}
