import { useMutation, useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Descriptions, Empty, Space, Table, Timeline, Typography, App } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, request, unwrap } from '../../api/client';
import type { Enrollment, Page, Schemas } from '../../api/types';
import { useUser } from '../../auth/session';
import { Money, PageHead, StatusTag, ToneTag } from '../../components/common';
import { ExplanationList } from '../../components/ExplanationList';
import { ProblemAlert } from '../../components/problem';
import { ENROLLMENT_STATUS, EVENT_TYPE, HUKOU, label, LINE_STATUS, POLICY, RELATION, SEX } from '../../i18n/labels';
import { todayInChina } from '../tasks/tasks';
import { CorrectionDialog, WITHDRAWABLE } from './CorrectionDialog';
import { BankAccountDialog, LifeEventDialog } from './LifeEventDialogs';

type Household = Schemas['HouseholdViewDto'];
type Decision = Schemas['DecisionDto'];
type HouseholdEvent = Schemas['HouseholdEventViewDto'];

type Parent = Schemas['ParentViewDto'];

/** Each member's own mother and father, as the rules read them (GET /households/:id/parents). */
function useParents(id: string) {
  return useQuery({
    queryKey: ['household-parents', id],
    queryFn: () => unwrap(api.GET('/api/v1/households/{id}/parents', { params: { path: { id } } })),
  });
}

const parentText = (p: Parent | null | undefined) => (p ? `${p.name}${p.member ? '' : '（非本户）'}` : '—');

export function useHousehold(id: string) {
  return useQuery({
    queryKey: ['household', id],
    queryFn: () => unwrap(api.GET('/api/v1/households/{id}', { params: { path: { id }, query: {} } })),
  });
}

/** The household page: the record, its history, what it is owed on any date, and what it was paid. */
export default function HouseholdPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const household = useHousehold(id);
  const [dialog, setDialog] = useState<'event' | 'account' | 'correction' | undefined>();
  const [withdrawing, setWithdrawing] = useState<{ event: HouseholdEvent; text: string }>();
  const parents = useParents(id);

  if (household.error) return <ProblemAlert error={household.error} />;
  if (!household.data) return <Card loading />;
  const h = household.data;
  const names = new Map(h.members.map((m) => [m.personId, m.name]));
  const links = new Map((parents.data?.items ?? []).map((p) => [p.personId, p]));

  return (
    <>
      <PageHead
        title={`家庭档案 ${h.householdNo}`}
        crumbs={[{ title: '户籍档案', to: '/households' }, { title: h.householdNo }]}
        extra={
          user.role === 'CLERK' && (
            <>
              <Button type="primary" onClick={() => setDialog('event')}>
                登记生活事件
              </Button>
              <Button onClick={() => setDialog('correction')}>更正登记信息</Button>
              <Button onClick={() => setDialog('account')}>变更一卡通账户</Button>
            </>
          )
        }
      />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card title="基本信息">
          <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
            <Descriptions.Item label="户号">{h.householdNo}</Descriptions.Item>
            <Descriptions.Item label="村（社区）代码">{h.regionCode}</Descriptions.Item>
            <Descriptions.Item label="地址">{h.address}</Descriptions.Item>
            <Descriptions.Item label="独生子女父母光荣证">
              {h.certificate
                ? `${h.certificate.certificateNo}（${h.certificate.issuedOn} 发证${h.certificate.revokedOn ? `，${h.certificate.revokedOn} 收回` : ''}）`
                : '无'}
            </Descriptions.Item>
            <Descriptions.Item label="一卡通账户">
              {h.bankAccount
                ? `${h.bankAccount.bankCode} ${h.bankAccount.accountNo}（持卡人 ${names.get(h.bankAccount.holderPersonId) ?? '—'}）`
                : '未登记'}
            </Descriptions.Item>
            <Descriptions.Item label="违法生育年份">
              {h.violationYears.length ? h.violationYears.join('、') : '无'}
            </Descriptions.Item>
            <Descriptions.Item label="自愿放弃二孩指标">{h.quotaWaivedOn ?? '无'}</Descriptions.Item>
          </Descriptions>
        </Card>

        <Card title="家庭成员">
          <Table
            rowKey="personId"
            size="small"
            pagination={false}
            dataSource={h.members}
            scroll={{ x: true }}
            columns={[
              { title: '姓名', dataIndex: 'name' },
              { title: '关系', dataIndex: 'relation', render: (v: string) => label(RELATION, v) },
              { title: '性别', dataIndex: 'sex', render: (v: string) => label(SEX, v) },
              { title: '出生日期', dataIndex: 'birthDate' },
              { title: '母亲', key: 'mother', render: (_, m) => parentText(links.get(m.personId)?.mother) },
              { title: '父亲', key: 'father', render: (_, m) => parentText(links.get(m.personId)?.father) },
              { title: '身份证号', dataIndex: 'idNumber' },
              { title: '户口性质', dataIndex: 'hukouType', render: (v: string) => label(HUKOU, v) },
              {
                title: '孩次',
                render: (_, m) => (m.birthOrder ? `第 ${m.birthOrder} 孩${m.adopted ? '（收养）' : ''}` : '—'),
              },
              { title: '残疾等级', dataIndex: 'disabilityGrade', render: (v: number | null) => (v ? `${v} 级` : '—') },
              {
                title: '并发症等级',
                dataIndex: 'complicationGrade',
                render: (v: number | null) => (v ? `${v} 级` : '—'),
              },
              {
                title: '状态',
                dataIndex: 'deathDate',
                render: (v: string | null) =>
                  v ? <ToneTag tone="neutral">{v} 死亡</ToneTag> : <ToneTag tone="success">健在</ToneTag>,
              },
            ]}
          />
          <ProblemAlert error={parents.error} title="父母关系未能读取" />
          {h.idNumbersMasked && (
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
              身份证号已按您的岗位权限部分隐藏。
            </Typography.Paragraph>
          )}
        </Card>

        <Eligibility household={h} names={names} />
        <EventTimeline
          id={h.id}
          names={names}
          onWithdraw={user.role === 'CLERK' ? (event, text) => setWithdrawing({ event, text }) : undefined}
        />
        <Enrollments id={h.id} names={names} />
        <Payments id={h.id} names={names} />
      </Space>
      {dialog === 'event' && <LifeEventDialog household={h} onClose={() => setDialog(undefined)} />}
      {dialog === 'account' && <BankAccountDialog household={h} onClose={() => setDialog(undefined)} />}
      {dialog === 'correction' && <CorrectionDialog household={h} onClose={() => setDialog(undefined)} />}
      {withdrawing && (
        <CorrectionDialog
          household={h}
          event={withdrawing.event}
          eventText={withdrawing.text}
          onClose={() => setWithdrawing(undefined)}
        />
      )}
    </>
  );
}

/** Eligibility on any date: each policy and beneficiary, each condition in words and whether it held. */
function Eligibility({ household, names }: { household: Household; names: Map<string, string> }) {
  const user = useUser();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const asOf = params.get('asOf') ?? todayInChina();
  const [openError, setOpenError] = useState<{ key: string; error: unknown }>();
  const result = useQuery({
    queryKey: ['eligibility', household.id, asOf],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/households/{id}/eligibility', { params: { path: { id: household.id }, query: { asOf } } }),
      ),
  });
  const open = useMutation({
    mutationFn: (d: Decision) =>
      request<Enrollment>('POST', '/enrollments', {
        householdId: household.id,
        policyCode: d.policyCode,
        ...(d.personId ? { beneficiaryPersonId: d.personId } : {}),
      }),
    onSuccess: (enrollment) => {
      void message.success('已开立申请（草稿）');
      void navigate(`/enrollments/${enrollment.id}`);
    },
    onError: (error, d) => setOpenError({ key: `${d.policyCode}:${d.personId}`, error }),
  });
  const decisions = [...(result.data?.decisions ?? [])].sort((a, b) => Number(b.eligible) - Number(a.eligible));

  return (
    <Card
      title="享受资格"
      extra={
        <Space>
          <label htmlFor="eligibility-as-of">资格判定日期</label>
          <DatePicker
            id="eligibility-as-of"
            allowClear={false}
            value={dayjs(asOf)}
            format="YYYY-MM-DD"
            onChange={(d) => {
              if (!d) return;
              const next = new URLSearchParams(params);
              next.set('asOf', d.format('YYYY-MM-DD'));
              setParams(next, { replace: true });
            }}
          />
        </Space>
      }
    >
      <ProblemAlert error={result.error} />
      <Table<Decision>
        rowKey={(d) => `${d.policyCode}:${d.personId ?? ''}`}
        size="small"
        loading={result.isLoading}
        dataSource={decisions}
        pagination={false}
        expandable={{
          expandedRowRender: (d) => <ExplanationList reasons={d.reasons} />,
          rowExpandable: (d) => d.reasons.length > 0,
        }}
        columns={[
          { title: '政策', dataIndex: 'policyCode', render: (v: string) => label(POLICY, v) },
          {
            title: '享受对象',
            dataIndex: 'personId',
            render: (v: string | null) => (v ? (names.get(v) ?? '—') : '本户'),
          },
          {
            title: '资格',
            dataIndex: 'eligible',
            render: (v: boolean) =>
              v ? <ToneTag tone="success">符合</ToneTag> : <ToneTag tone="neutral">不符合</ToneTag>,
          },
          { title: '本期金额', dataIndex: 'amount', render: (v: string | null) => (v ? <Money value={v} /> : '—') },
          {
            title: '操作',
            render: (_, d) => {
              const key = `${d.policyCode}:${d.personId}`;
              return (
                <Space direction="vertical" size={0}>
                  {d.eligible && (user.role === 'CLERK' || user.role === 'OFFICER') && (
                    <Button
                      size="small"
                      loading={open.isPending && open.variables === d}
                      aria-label={`为${d.personId ? (names.get(d.personId) ?? '') : '本户'}开立申请：${label(POLICY, d.policyCode)}`}
                      onClick={() => {
                        setOpenError(undefined);
                        open.mutate(d);
                      }}
                    >
                      开立申请
                    </Button>
                  )}
                  {openError?.key === key && <ProblemAlert error={openError.error} />}
                </Space>
              );
            },
          },
        ]}
      />
    </Card>
  );
}

const DATA_LABEL: Record<string, string> = {
  grade: '等级',
  certificateNo: '证号',
  year: '年份',
  hukouType: '户口性质',
  regionCode: '迁入村（社区）',
  address: '地址',
  bankCode: '银行',
  accountNo: '账号',
  name: '姓名',
  idNumber: '身份证号',
  birthOrder: '孩次',
};

const CORRECTED_FIELD: Record<string, string> = { name: '姓名', address: '地址', deathDate: '死亡日期' };

function eventSummary(e: HouseholdEvent, names: Map<string, string>, byId: Map<string, HouseholdEvent>): string {
  const data = e.data as Record<string, unknown>;
  const who = e.personId ? (names.get(e.personId) ?? '') : '';
  if (e.type === 'CORRECTION') {
    const reason = `原因：${String(data.reason ?? '')}`;
    if (data.withdrawsEventId) {
      const target = byId.get(String(data.withdrawsEventId));
      const type = label(EVENT_TYPE, String(data.withdrawnType ?? target?.type ?? ''));
      const whose = target?.personId ? `（${names.get(target.personId) ?? ''}）` : '';
      return `撤销 ${target?.date ?? ''} 登记的${type}${whose}，${reason}`;
    }
    const field = CORRECTED_FIELD[String(data.field)] ?? String(data.field);
    return `${who ? `${who}的` : ''}${field}更正为 ${String(data.value ?? '')}，${reason}`;
  }
  const parts: string[] = [who];
  const facts = (data.member && typeof data.member === 'object' ? data.member : data) as Record<string, unknown>;
  for (const [key, value] of Object.entries(facts)) {
    if (!(key in DATA_LABEL) || value === null || typeof value === 'object') continue;
    if (key === 'name' && value === who) continue;
    parts.push(`${DATA_LABEL[key]} ${key === 'hukouType' ? label(HUKOU, String(value)) : String(value)}`);
  }
  return parts.filter(Boolean).join('，');
}

function EventTimeline({
  id,
  names,
  onWithdraw,
}: {
  id: string;
  names: Map<string, string>;
  onWithdraw?: (event: HouseholdEvent, text: string) => void;
}) {
  const events = useQuery({
    queryKey: ['household-events', id],
    queryFn: () =>
      unwrap(api.GET('/api/v1/households/{id}/events', { params: { path: { id }, query: { limit: 500 as never } } })),
  });
  const items = events.data?.items ?? [];
  const byId = new Map(items.map((e) => [e.id, e]));
  // A CORRECTION that withdraws an event: the event stays in the log, struck through, with why.
  const withdrawnBy = new Map(
    items
      .filter((e) => e.type === 'CORRECTION' && (e.data as { withdrawsEventId?: unknown }).withdrawsEventId)
      .map((e) => [String((e.data as { withdrawsEventId: unknown }).withdrawsEventId), e]),
  );
  return (
    <Card title="生活事件（按发生日期）">
      <ProblemAlert error={events.error} />
      {events.data && items.length === 0 && <Empty description="尚无生活事件" />}
      <Timeline
        items={[...items]
          .sort((a, b) => a.date.localeCompare(b.date) || a.recordedAt.localeCompare(b.recordedAt))
          .map((e) => {
            const summary = eventSummary(e, names, byId);
            const withdrawal = withdrawnBy.get(e.id);
            const title = `${e.date} ${label(EVENT_TYPE, e.type)}${summary && `：${summary}`}`;
            return {
              key: e.id,
              color: withdrawal ? 'gray' : e.type === 'CORRECTION' ? 'orange' : undefined,
              children: (
                <div>
                  <span style={withdrawal ? { textDecoration: 'line-through', color: '#595959' } : undefined}>
                    <strong>{e.date}</strong> {label(EVENT_TYPE, e.type)}
                    {summary && `：${summary}`}
                  </span>
                  {withdrawal && (
                    <>
                      {' '}
                      <ToneTag tone="warning">已撤销</ToneTag>
                    </>
                  )}
                  <div style={{ color: '#595959', fontSize: 13 }}>
                    {dayjs(e.recordedAt).format('YYYY-MM-DD HH:mm')} 录入
                    {withdrawal &&
                      `；${dayjs(withdrawal.recordedAt).format('YYYY-MM-DD HH:mm')} 撤销，原因：${String(
                        (withdrawal.data as { reason?: unknown }).reason ?? '',
                      )}`}
                    {onWithdraw && WITHDRAWABLE.has(e.type) && !withdrawal && (
                      <Button
                        type="link"
                        size="small"
                        aria-label={`撤销：${title}`}
                        onClick={() => onWithdraw(e, summary)}
                      >
                        撤销（登记有误）
                      </Button>
                    )}
                  </div>
                </div>
              ),
            };
          })}
      />
    </Card>
  );
}

function Enrollments({ id, names }: { id: string; names: Map<string, string> }) {
  const result = useQuery({
    queryKey: ['enrollments', 'household', id],
    queryFn: () => request<Page<Enrollment>>('GET', `/enrollments?householdId=${id}&limit=100`),
  });
  return (
    <Card title="享受申请">
      <ProblemAlert error={result.error} />
      <Table<Enrollment>
        rowKey="id"
        size="small"
        pagination={false}
        loading={result.isLoading}
        dataSource={result.data?.items ?? []}
        locale={{ emptyText: '尚无申请：在上面的“享受资格”中，对符合的政策开立申请' }}
        columns={[
          {
            title: '政策',
            dataIndex: 'policyCode',
            render: (v: string, e) => <Link to={`/enrollments/${e.id}`}>{label(POLICY, v)}</Link>,
          },
          {
            title: '享受对象',
            dataIndex: 'beneficiaryPersonId',
            render: (v: string | null) => (v ? (names.get(v) ?? '—') : '本户'),
          },
          {
            title: '状态',
            dataIndex: 'status',
            render: (v: string) => <StatusTag status={v} labels={ENROLLMENT_STATUS} />,
          },
          { title: '开始享受', dataIndex: 'activeFrom', render: (v: string | null) => v ?? '—' },
        ]}
      />
    </Card>
  );
}

type Payment = Schemas['HouseholdPaymentDto'];

/** Payments received: every line of the household's batches, with the bank's reference or reason. */
function Payments({ id, names }: { id: string; names: Map<string, string> }) {
  const user = useUser();
  const result = useQuery({
    queryKey: ['payments', id],
    queryFn: () => unwrap(api.GET('/api/v1/households/{id}/payments', { params: { path: { id } } })),
  });
  const payments = result.data?.items ?? [];
  return (
    <Card title="发放记录">
      <ProblemAlert error={result.error} />
      <Table<Payment>
        rowKey="lineId"
        size="small"
        pagination={false}
        loading={result.isLoading}
        dataSource={payments}
        locale={{ emptyText: '尚无发放记录' }}
        columns={[
          {
            title: '批次',
            dataIndex: 'batchNo',
            // A township clerk does not see county batches; the others open the batch.
            render: (v: string, p) => (user.role === 'CLERK' ? v : <Link to={`/batches/${p.batchId}`}>{v}</Link>),
          },
          { title: '政策', dataIndex: 'policyCode', render: (v: string) => label(POLICY, v) },
          { title: '期间', dataIndex: 'periods', render: (v: string[]) => v.join('、') },
          { title: '对象', dataIndex: 'personId', render: (v: string | null) => (v ? (names.get(v) ?? '—') : '本户') },
          { title: '金额', dataIndex: 'amount', align: 'right', render: (v: string) => <Money value={v} /> },
          { title: '状态', dataIndex: 'status', render: (v: string) => <StatusTag status={v} labels={LINE_STATUS} /> },
          {
            title: '银行流水号或原因',
            render: (_, p) => p.bankRef ?? p.reason ?? '—',
          },
        ]}
      />
    </Card>
  );
}
