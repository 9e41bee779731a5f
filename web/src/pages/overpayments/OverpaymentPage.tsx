import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Timeline,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { request } from '../../api/client';
import { useUser } from '../../auth/session';
import { Money, PageHead, ToneTag } from '../../components/common';
import { ProblemAlert, showFieldProblems } from '../../components/problem';
import {
  CLAIM_ACTION,
  CLAIM_STATUS,
  EVENT_TYPE,
  label,
  POLICY,
  RECOVERY_KIND,
  RECOVERY_STATUS,
} from '../../i18n/labels';
import { ClaimStatusTag } from './OverpaymentsPage';
import {
  batchPath,
  collecting,
  householdPath,
  type ClaimDetail,
  type ClaimEvent,
  type ClaimLine,
  type ClaimRecovery,
} from './overpayments-api';

type Dialog = 'refund' | 'propose' | 'reject' | undefined;

const RECOVERY_TONE: Record<string, 'success' | 'info' | 'warning' | 'neutral'> = {
  DONE: 'success',
  RESERVED: 'info',
  REVERSED: 'warning',
  CANCELLED: 'neutral',
};

/** What one step of the history changed, in words: amounts, reasons, batches. */
function eventDetail(event: ClaimEvent): string {
  const after = event.after ?? {};
  const before = event.before ?? {};
  const parts: string[] = [];
  const money = (key: string, name: string, from = after) => {
    if (typeof from[key] === 'string') parts.push(`${name} ¥${from[key]}`);
  };
  money('added', '新增多付');
  money('withdrawn', '撤销');
  money('offset', '抵扣');
  money('reversed', '冲回');
  money('amount', '金额', event.action === 'overpayment.refunded' ? after : {});
  if (typeof after.receiptNo === 'string') parts.push(`收据号 ${after.receiptNo}`);
  if (typeof after.date === 'string' && event.action === 'overpayment.refunded') parts.push(`收款日期 ${after.date}`);
  if (event.action === 'overpayment.write_off_proposed' && typeof after.reason === 'string') {
    parts.push(`理由：${after.reason}，拟核销 ¥${String(after.outstanding)}`);
  }
  if (event.action === 'overpayment.write_off_rejected') {
    parts.push(`原提议理由：${String(before.reason ?? '—')}；退回理由：${String(after.rejectReason)}`);
  }
  if (event.action === 'overpayment.write_off_withdrawn') {
    parts.push(`提议时未追回 ¥${String(before.outstanding)}，现为 ¥${String(after.outstanding)}，请按新金额重新提议`);
  }
  if (event.action === 'overpayment.written_off' && typeof after.writtenOff === 'string') {
    parts.push(`核销 ¥${after.writtenOff}`);
  }
  if (typeof after.status === 'string') parts.push(`状态：${label(CLAIM_STATUS, after.status)}`);
  return parts.join('；');
}

/**
 * 追回单: one overpayment claim. Its overpaid periods (each with the amount and the event that
 * caused it), what is recovered and outstanding, every recovery (offsets by batch line, refunds,
 * write-offs) and the whole history; FINANCE records refunds and proposes, approves or rejects a
 * write-off (never the proposer: the page says why).
 */
export default function OverpaymentPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>();
  const claim = useQuery({
    queryKey: ['overpayment', id],
    queryFn: () => request<ClaimDetail>('GET', `/overpayments/${id}`),
  });
  const done = async (text: string) => {
    setDialog(undefined);
    void message.success(text);
    await queryClient.invalidateQueries({ queryKey: ['overpayment', id] });
    await queryClient.invalidateQueries({ queryKey: ['overpayments'] });
  };
  const approve = useMutation({
    mutationFn: () => request<ClaimDetail>('POST', `/overpayments/${id}/write-off/approve`),
    onSuccess: () => done('已批准核销'),
  });

  if (claim.error) return <ProblemAlert error={claim.error} />;
  const c = claim.data;
  if (!c) return <Card loading />;
  const finance = user.role === 'FINANCE';
  const canPropose = (finance || user.role === 'OFFICER') && collecting(c);
  const proposed = c.status === 'WRITE_OFF_PROPOSED';
  const ownProposal = proposed && c.writeOff.proposedBy === user.id;
  const household = householdPath(user.role, c.householdId);

  return (
    <>
      <PageHead
        title={`追回单 ${c.claimNo}`}
        crumbs={[{ title: '多付追回', to: '/overpayments' }, { title: c.claimNo }]}
        extra={
          <>
            {finance && collecting(c) && (
              <Button type="primary" onClick={() => setDialog('refund')}>
                登记退款
              </Button>
            )}
            {canPropose && <Button onClick={() => setDialog('propose')}>提议核销</Button>}
            {finance && proposed && (
              <>
                <Popconfirm
                  title={`批准核销未追回的 ¥${c.outstanding}？核销后计入已支出（损失），追回单关闭。`}
                  okText="批准核销"
                  cancelText="再看看"
                  disabled={ownProposal}
                  onConfirm={() => approve.mutate()}
                >
                  <Button type="primary" disabled={ownProposal} loading={approve.isPending}>
                    批准核销
                  </Button>
                </Popconfirm>
                <Button danger disabled={ownProposal} onClick={() => setDialog('reject')}>
                  退回核销提议
                </Button>
              </>
            )}
          </>
        }
      />
      {proposed && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={`核销待审批：${c.writeOff.proposedByUsername ?? '—'} 提议核销未追回的 ¥${c.outstanding}`}
          description={
            <>
              <div>理由：{c.writeOff.reason}</div>
              {ownProposal && <div>您是提议人，不能批准或退回本人的提议，须由另一名财政人员审批。</div>}
              {!finance && <div>由财政人员（提议人以外）批准或退回。</div>}
            </>
          }
        />
      )}
      <ProblemAlert error={approve.error} />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card>
          <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
            <Descriptions.Item label="状态">
              <ClaimStatusTag status={c.status} />
            </Descriptions.Item>
            <Descriptions.Item label="政策">{label(POLICY, c.policyCode)}</Descriptions.Item>
            <Descriptions.Item label="村（社区）">{c.regionCode}</Descriptions.Item>
            <Descriptions.Item label="家庭">
              {household ? <Link to={household.to}>{household.text}</Link> : c.householdId}
            </Descriptions.Item>
            <Descriptions.Item label="立单时间">{dayjs(c.openedAt).format('YYYY-MM-DD HH:mm')}</Descriptions.Item>
            <Descriptions.Item label="结清时间">
              {c.closedAt ? dayjs(c.closedAt).format('YYYY-MM-DD HH:mm') : '—'}
            </Descriptions.Item>
            {[
              { title: '应追金额', value: c.amount },
              { title: '已追回（抵扣与退款）', value: c.recovered },
              { title: '已核销', value: c.writtenOff },
              { title: '待批次审批的抵扣', value: c.reserved },
            ].map(({ title, value }) => (
              <Descriptions.Item key={title} label={title}>
                <Money value={value} />
              </Descriptions.Item>
            ))}
            <Descriptions.Item label="未追回">
              <strong>
                <Money value={c.outstanding} />
              </strong>
            </Descriptions.Item>
            {c.writeOff.approvedByUsername && (
              <Descriptions.Item label="核销">
                {c.writeOff.proposedByUsername} 提议，{c.writeOff.approvedByUsername} 批准（{c.writeOff.reason}）
              </Descriptions.Item>
            )}
          </Descriptions>
        </Card>
        <Card title={`多付期间（${c.lines.filter((l) => !l.withdrawnAt).length}）`}>
          <Table<ClaimLine>
            rowKey={(l) => `${l.lineId}:${l.period}`}
            size="small"
            pagination={false}
            dataSource={c.lines}
            scroll={{ x: true }}
            columns={[
              { title: '期间', dataIndex: 'period' },
              {
                title: '发放批次',
                dataIndex: 'batchNo',
                render: (v: string, l) => <Link to={batchPath(user.role, l.batchId)}>{v}</Link>,
              },
              { title: '已发', dataIndex: 'paid', align: 'right', render: (v: string) => <Money value={v} /> },
              { title: '应发', dataIndex: 'owed', align: 'right', render: (v: string) => <Money value={v} /> },
              { title: '多付', dataIndex: 'amount', align: 'right', render: (v: string) => <Money value={v} /> },
              {
                title: '起因',
                render: (_, l) =>
                  l.causeEventType
                    ? `${label(EVENT_TYPE, l.causeEventType)}（${l.causeEventDate}）`
                    : l.causeJobId
                      ? '全区多付复核'
                      : '—',
              },
              { title: '发现时间', dataIndex: 'foundAt', render: (v: string) => dayjs(v).format('YYYY-MM-DD') },
              {
                title: '撤销',
                dataIndex: 'withdrawnAt',
                render: (v: string | null) => (v ? `事件更正，${dayjs(v).format('YYYY-MM-DD')} 撤销` : '—'),
              },
            ]}
          />
        </Card>
        <Card title="追回记录">
          <Table<ClaimRecovery>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={c.recoveries}
            scroll={{ x: true }}
            locale={{ emptyText: '尚无追回' }}
            columns={[
              { title: '方式', dataIndex: 'kind', render: (v: string) => label(RECOVERY_KIND, v) },
              {
                title: '状态',
                dataIndex: 'status',
                render: (v: string) => (
                  <ToneTag tone={RECOVERY_TONE[v] ?? 'neutral'}>{label(RECOVERY_STATUS, v)}</ToneTag>
                ),
              },
              { title: '金额', dataIndex: 'amount', align: 'right', render: (v: string) => <Money value={v} /> },
              {
                title: '抵扣批次',
                dataIndex: 'batchId',
                render: (v: string | null) => (v ? <Link to={batchPath(user.role, v)}>查看批次</Link> : '—'),
              },
              { title: '收据号', dataIndex: 'receiptNo', render: (v: string | null) => v ?? '—' },
              { title: '收款日期', dataIndex: 'date', render: (v: string | null) => v ?? '—' },
              { title: '理由', dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
              { title: '时间', dataIndex: 'createdAt', render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
            ]}
          />
        </Card>
        <Card title="处理经过">
          <Timeline
            items={c.history.map((e) => ({
              key: e.id,
              children: (
                <div>
                  <strong>{dayjs(e.at).format('YYYY-MM-DD HH:mm')}</strong> {label(CLAIM_ACTION, e.action)}
                  <span style={{ color: 'rgba(0, 0, 0, 0.65)' }}>（{e.actorUsername ?? '系统'}）</span>
                  <div>{eventDetail(e)}</div>
                </div>
              ),
            }))}
          />
        </Card>
      </Space>
      {dialog === 'refund' && <RefundDialog claim={c} onClose={() => setDialog(undefined)} onDone={done} />}
      {(dialog === 'propose' || dialog === 'reject') && (
        <ReasonDialog claim={c} kind={dialog} onClose={() => setDialog(undefined)} onDone={done} />
      )}
    </>
  );
}

interface DialogProps {
  claim: ClaimDetail;
  onClose: () => void;
  onDone: (text: string) => Promise<void>;
}

/** 登记退款: the amount (up to what is outstanding less reserved offsets), the receipt number and the day. */
function RefundDialog({ claim, onClose, onDone }: DialogProps) {
  const [form] = Form.useForm<{ amount: string; receiptNo: string; date: Dayjs }>();
  const refund = useMutation({
    mutationFn: (body: { amount: string; receiptNo: string; date: string }) =>
      request<ClaimDetail>('POST', `/overpayments/${claim.id}/refunds`, body),
    onSuccess: () => onDone('退款已登记'),
    onError: (error) => showFieldProblems(form, error),
  });
  return (
    <Modal
      title={`登记退款（追回单 ${claim.claimNo}）`}
      open
      okText="登记退款"
      cancelText="取消"
      okButtonProps={{ form: 'refund', htmlType: 'submit', loading: refund.isPending }}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={refund.error} fieldsShown />
      <p>
        未追回 <Money value={claim.outstanding} />
        {claim.reserved !== '0.00' && (
          <>
            ，其中 <Money value={claim.reserved} /> 已由待审批批次抵扣
          </>
        )}
        。
      </p>
      <Form
        id="refund"
        form={form}
        layout="vertical"
        onFinish={(v) =>
          refund.mutate({ amount: v.amount.trim(), receiptNo: v.receiptNo.trim(), date: v.date.format('YYYY-MM-DD') })
        }
      >
        <Form.Item
          label="退款金额（元）"
          name="amount"
          rules={[
            { required: true, message: '请填写退款金额' },
            { pattern: /^\s*\d{1,12}(\.\d{1,2})?\s*$/, message: '金额为正数，最多两位小数' },
          ]}
        >
          <Input inputMode="decimal" placeholder="例如 50.00" />
        </Form.Item>
        <Form.Item
          label="收据号"
          name="receiptNo"
          rules={[{ required: true, whitespace: true, message: '请填写收据号' }]}
        >
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item label="收款日期" name="date" rules={[{ required: true, message: '请选择收款日期' }]}>
          <DatePicker format="YYYY-MM-DD" style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 提议核销 or 退回核销提议: both take a reason. */
function ReasonDialog({ claim, kind, onClose, onDone }: DialogProps & { kind: 'propose' | 'reject' }) {
  const propose = kind === 'propose';
  const send = useMutation({
    mutationFn: (reason: string) =>
      request<ClaimDetail>('POST', `/overpayments/${claim.id}/write-off${propose ? '' : '/reject'}`, { reason }),
    onSuccess: () => onDone(propose ? '已提议核销，待另一名财政人员审批' : '已退回核销提议'),
  });
  return (
    <Modal
      title={propose ? `提议核销（未追回 ¥${claim.outstanding}）` : '退回核销提议'}
      open
      okText={propose ? '提议核销' : '退回'}
      cancelText="取消"
      okButtonProps={{ danger: !propose, form: 'write-off', htmlType: 'submit', loading: send.isPending }}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={send.error} />
      <Form id="write-off" layout="vertical" onFinish={({ reason }: { reason: string }) => send.mutate(reason.trim())}>
        <Form.Item
          label={propose ? '核销理由' : '退回理由'}
          name="reason"
          rules={[{ required: true, whitespace: true, message: propose ? '请填写核销理由' : '请填写退回理由' }]}
        >
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
