import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Space, Table, Tabs } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiProblem, request } from '../../api/client';
import type { Enrollment, EnrollmentStatus, Page } from '../../api/types';
import { useUser } from '../../auth/session';
import { PageHead, StatusTag, ToneTag } from '../../components/common';
import { PolicyFilter } from '../../components/filters';
import { ProblemAlert } from '../../components/problem';
import { ENROLLMENT_STATUS, label, POLICY, PROBLEM } from '../../i18n/labels';
import { noticeText, Party } from './shared';

const QUEUE: EnrollmentStatus[] = ['DRAFT', 'SUBMITTED', 'PUBLICIZED', 'ACTIVE', 'REJECTED', 'SUSPENDED', 'TERMINATED'];

/** Each row's answer to the last bulk action: the server's all-or-nothing verdict, row by row. */
type RowAnswers = Record<string, { ok: boolean; text: string }>;

export default function EnrollmentsPage() {
  const user = useUser();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? (user.role === 'OFFICER' ? 'SUBMITTED' : 'DRAFT')) as EnrollmentStatus;
  const policyCode = params.get('policyCode') ?? undefined;
  const [selected, setSelected] = useState<string[]>([]);
  const [answers, setAnswers] = useState<RowAnswers>({});
  const [bulkError, setBulkError] = useState<unknown>();
  const [rejecting, setRejecting] = useState<Enrollment>();

  const list = useQuery({
    queryKey: ['enrollments', status, policyCode],
    queryFn: () =>
      request<Page<Enrollment>>(
        'GET',
        `/enrollments?${new URLSearchParams({ status, limit: '200', ...(policyCode ? { policyCode } : {}) })}`,
      ),
  });

  const bulk = useMutation({
    mutationFn: ({ action }: { action: 'publicize' | 'approve' }) =>
      request<{ items: Enrollment[] }>('POST', `/enrollments/bulk/${action}`, { ids: selected }),
    onSuccess: async (answer, { action }) => {
      const done = action === 'publicize' ? '已公示' : '已审批，开始享受';
      setAnswers(Object.fromEntries(answer.items.map((e) => [e.id, { ok: true, text: done }])));
      void message.success(`${answer.items.length} 件${done}`);
      setSelected([]);
      await queryClient.invalidateQueries({ queryKey: ['enrollments'] });
      await queryClient.invalidateQueries({ queryKey: ['tasks'] });
    },
    onError: (error) => {
      setBulkError(error);
      const failures = error instanceof ApiProblem ? (error.problem.failures ?? []) : [];
      // Each row's failure in Chinese by its code (the server writes the rows' `detail` in English).
      const failed = new Map(failures.map((f) => [f.id, `未通过：${PROBLEM[f.code] ?? f.detail}`]));
      setAnswers(
        Object.fromEntries(
          selected.map((id) => [
            id,
            failed.has(id)
              ? { ok: false, text: failed.get(id)! }
              : { ok: true, text: '本行可以办理，因其他行未通过而未执行' },
          ]),
        ),
      );
    },
  });

  const setFilter = (next: Record<string, string | undefined>) => {
    const merged = new URLSearchParams(params);
    for (const [key, value] of Object.entries(next)) {
      if (value) merged.set(key, value);
      else merged.delete(key);
    }
    setParams(merged);
    setSelected([]);
    setAnswers({});
    setBulkError(undefined);
  };

  const officer = user.role === 'OFFICER';
  const bulkAction = status === 'SUBMITTED' ? 'publicize' : status === 'PUBLICIZED' ? 'approve' : undefined;

  return (
    <>
      <PageHead
        title="享受申请"
        extra={
          <Link to="/enrollments/publicity">
            <Button>公示名单</Button>
          </Link>
        }
      />
      <Card>
        <Tabs
          activeKey={status}
          onChange={(key) => setFilter({ status: key })}
          items={QUEUE.map((s) => ({ key: s, label: ENROLLMENT_STATUS[s] }))}
        />
        <Space wrap style={{ marginBottom: 16 }}>
          <PolicyFilter value={policyCode} onChange={(v) => setFilter({ policyCode: v })} />
          {officer && bulkAction && (
            <Button
              type="primary"
              disabled={selected.length === 0}
              loading={bulk.isPending}
              onClick={() => {
                setBulkError(undefined);
                bulk.mutate({ action: bulkAction });
              }}
            >
              {bulkAction === 'publicize' ? '批量公示' : '批量审批'}（已选 {selected.length} 件）
            </Button>
          )}
        </Space>
        <ProblemAlert error={bulkError ?? list.error} />
        <Table<Enrollment>
          rowKey="id"
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          locale={{ emptyText: `没有${ENROLLMENT_STATUS[status]}的申请` }}
          rowSelection={
            officer && bulkAction
              ? {
                  selectedRowKeys: selected,
                  onChange: (keys) => setSelected(keys as string[]),
                  columnTitle: (checkbox) => (
                    <label>
                      <span className="sr-only">全选</span>
                      {checkbox}
                    </label>
                  ),
                  getCheckboxProps: (e) => ({
                    'aria-label': `选择 ${label(POLICY, e.policyCode)} ${e.id.slice(0, 8)}`,
                  }),
                }
              : undefined
          }
          columns={[
            {
              title: '政策',
              dataIndex: 'policyCode',
              render: (v: string, e) => <Link to={`/enrollments/${e.id}`}>{label(POLICY, v)}</Link>,
            },
            { title: '户号 · 享受对象', render: (_, e) => <Party enrollment={e} /> },
            { title: '村（社区）', dataIndex: 'regionCode' },
            {
              title: '状态',
              dataIndex: 'status',
              render: (v: string) => <StatusTag status={v} labels={ENROLLMENT_STATUS} />,
            },
            {
              title: '公示',
              render: (_, e) => noticeText(e) ?? (e.statusReason ? `原因：${e.statusReason}` : '—'),
            },
            {
              title: '处理结果',
              render: (_, e) =>
                answers[e.id] ? (
                  <ToneTag tone={answers[e.id].ok ? 'success' : 'error'}>{answers[e.id].text}</ToneTag>
                ) : null,
            },
            ...(officer && ['DRAFT', 'SUBMITTED', 'PUBLICIZED'].includes(status)
              ? [
                  {
                    title: '操作',
                    render: (_: unknown, e: Enrollment) => (
                      <Button size="small" danger onClick={() => setRejecting(e)}>
                        退回
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {rejecting && <RejectDialog enrollment={rejecting} onClose={() => setRejecting(undefined)} />}
    </>
  );
}

export function RejectDialog({ enrollment, onClose }: { enrollment: Enrollment; onClose: () => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const queryClient = useQueryClient();
  const reject = useMutation({
    mutationFn: ({ reason }: { reason: string }) =>
      request<Enrollment>('POST', `/enrollments/${enrollment.id}/reject`, { reason }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['enrollments'] });
      await queryClient.invalidateQueries({ queryKey: ['enrollment', enrollment.id] });
      await queryClient.invalidateQueries({ queryKey: ['tasks'] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={`退回申请：${label(POLICY, enrollment.policyCode)}`}
      okText="退回"
      okButtonProps={{ danger: true }}
      cancelText="取消"
      confirmLoading={reject.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <ProblemAlert error={reject.error} />
      <Form form={form} layout="vertical" onFinish={(v) => reject.mutate(v)}>
        <Form.Item label="退回原因" name="reason" rules={[{ required: true, message: '请填写退回原因' }]}>
          <Input.TextArea rows={3} maxLength={500} showCount autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}
