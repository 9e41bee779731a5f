import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Space, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useParams } from 'react-router';
import { request } from '../../api/client';
import type { Enrollment, EnrollmentDetail } from '../../api/types';
import { useUser } from '../../auth/session';
import { PageHead, StatusTag } from '../../components/common';
import { ExplanationList, type Reason } from '../../components/ExplanationList';
import { ProblemAlert } from '../../components/problem';
import { ENROLLMENT_STATUS, label, POLICY } from '../../i18n/labels';
import { RejectDialog } from './EnrollmentsPage';
import { noticeText, Party } from './shared';

type Action = 'submit' | 'publicize' | 'approve';

/** The eligibility decision stored with a transition (the server keeps it as it was then). */
const reasonsOf = (explanation: unknown): Reason[] =>
  explanation && typeof explanation === 'object' && Array.isArray((explanation as { reasons?: unknown }).reasons)
    ? (explanation as { reasons: Reason[] }).reasons
    : [];

/** What the signed-in role may do from this status; the server still decides (and says why not). */
function actionsFor(role: string, status: string): { action: Action; text: string }[] {
  const actions: { action: Action; text: string }[] = [];
  if ((role === 'CLERK' || role === 'OFFICER') && status === 'DRAFT') actions.push({ action: 'submit', text: '提交' });
  if (role === 'OFFICER' && status === 'SUBMITTED') actions.push({ action: 'publicize', text: '开始公示' });
  if (role === 'OFFICER' && status === 'PUBLICIZED') actions.push({ action: 'approve', text: '审批通过' });
  return actions;
}

export default function EnrollmentPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState(false);
  const enrollment = useQuery({
    queryKey: ['enrollment', id],
    queryFn: () => request<EnrollmentDetail>('GET', `/enrollments/${id}`),
  });
  const act = useMutation({
    mutationFn: (action: Action) => request<Enrollment>('POST', `/enrollments/${id}/${action}`),
    onSuccess: async (e) => {
      void message.success(`申请${ENROLLMENT_STATUS[e.status] ?? e.status}`);
      await queryClient.invalidateQueries({ queryKey: ['enrollment', id] });
      await queryClient.invalidateQueries({ queryKey: ['enrollments'] });
      await queryClient.invalidateQueries({ queryKey: ['tasks'] });
    },
  });

  if (enrollment.error) return <ProblemAlert error={enrollment.error} />;
  if (!enrollment.data) return <Card loading />;
  const e = enrollment.data;
  const canReject = user.role === 'OFFICER' && ['DRAFT', 'SUBMITTED', 'PUBLICIZED'].includes(e.status);

  return (
    <>
      <PageHead
        title={`享受申请：${label(POLICY, e.policyCode)}`}
        crumbs={[{ title: '享受申请', to: '/enrollments' }, { title: label(POLICY, e.policyCode) }]}
        extra={
          <>
            {actionsFor(user.role, e.status).map(({ action, text }) => (
              <Button
                key={action}
                type="primary"
                loading={act.isPending && act.variables === action}
                onClick={() => act.mutate(action)}
              >
                {text}
              </Button>
            ))}
            {canReject && (
              <Button danger onClick={() => setRejecting(true)}>
                退回
              </Button>
            )}
          </>
        }
      />
      <ProblemAlert error={act.error} />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card>
          <Descriptions column={{ xs: 1, md: 2 }} size="small">
            <Descriptions.Item label="状态">
              <StatusTag status={e.status} labels={ENROLLMENT_STATUS} />
            </Descriptions.Item>
            <Descriptions.Item label="户号 · 享受对象">
              <Party enrollment={e} />
            </Descriptions.Item>
            <Descriptions.Item label="政策">{label(POLICY, e.policyCode)}</Descriptions.Item>
            <Descriptions.Item label="村（社区）">{e.regionCode}</Descriptions.Item>
            <Descriptions.Item label="公示">
              {e.publicizedOn ? `${e.publicizedOn} 开始` : '—'}
              {noticeText(e) ? `，${noticeText(e)}` : ''}
            </Descriptions.Item>
            <Descriptions.Item label="开始享受">{e.activeFrom ?? '—'}</Descriptions.Item>
            {e.statusReason && <Descriptions.Item label="原因">{e.statusReason}</Descriptions.Item>}
            <Descriptions.Item label="开立时间">{dayjs(e.createdAt).format('YYYY-MM-DD HH:mm')}</Descriptions.Item>
          </Descriptions>
        </Card>
        <Card title="办理经过">
          <Timeline
            items={e.history.map((t, i) => ({
              key: i,
              children: (
                <div>
                  <strong>{dayjs(t.at).format('YYYY-MM-DD HH:mm')}</strong>{' '}
                  {t.from ? `${label(ENROLLMENT_STATUS, t.from)} → ` : ''}
                  {label(ENROLLMENT_STATUS, t.to)}
                  {t.asOf && <Typography.Text type="secondary">（资格判定日 {t.asOf}）</Typography.Text>}
                  {t.reason && <div>原因：{t.reason}</div>}
                  {reasonsOf(t.explanation).length > 0 && (
                    <details>
                      <summary>判定依据</summary>
                      <ExplanationList reasons={reasonsOf(t.explanation)} />
                    </details>
                  )}
                </div>
              ),
            }))}
          />
        </Card>
      </Space>
      {rejecting && <RejectDialog enrollment={e} onClose={() => setRejecting(false)} />}
    </>
  );
}
