import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, DatePicker, Form, Input, Modal, Select, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Schemas } from '../../api/types';
import { ProblemAlert, showFieldProblems } from '../../components/problem';
import { EVENT_TYPE, label } from '../../i18n/labels';
import { todayInChina } from '../tasks/tasks';

type Household = Schemas['HouseholdViewDto'];
type HouseholdEvent = Schemas['HouseholdEventViewDto'];

/** The events a CORRECTION may withdraw (the server's WITHDRAWABLE list); it refuses the others. */
export const WITHDRAWABLE = new Set([
  'DEATH',
  'HUKOU_CHANGE',
  'DISABILITY_ASSESSED',
  'COMPLICATION_ASSESSED',
  'MOVE_OUT',
]);

const FIELDS: Record<string, string> = { name: '姓名', address: '地址', deathDate: '死亡日期' };

interface Values {
  field?: 'name' | 'address' | 'deathDate';
  personId?: string;
  value?: string;
  deathDate?: Dayjs;
  reason: string;
}

/** Invalidates what an event changes: the record, its timeline, its eligibility and its links. */
export async function refreshHousehold(queryClient: ReturnType<typeof useQueryClient>, id: string) {
  await Promise.all(
    ['household', 'household-events', 'eligibility', 'household-parents'].map((key) =>
      queryClient.invalidateQueries({ queryKey: [key, id] }),
    ),
  );
}

/**
 * 更正: withdraws an event recorded in error (when `event` is given), or corrects a mistyped name,
 * address or death date. Either way with a reason, as a CORRECTION event dated today; the
 * withdrawn event stays in the log, marked as withdrawn.
 */
export function CorrectionDialog({
  household,
  event,
  eventText,
  onClose,
}: {
  household: Household;
  event?: HouseholdEvent;
  eventText?: string;
  onClose: () => void;
}) {
  const [form] = Form.useForm<Values>();
  const field = Form.useWatch('field', form);
  const [error, setError] = useState<unknown>();
  const queryClient = useQueryClient();
  const { message } = App.useApp();

  const correct = useMutation({
    mutationFn: (v: Values) => {
      const data = event
        ? { withdrawsEventId: event.id, reason: v.reason }
        : {
            field: v.field,
            value: v.field === 'deathDate' ? v.deathDate?.format('YYYY-MM-DD') : v.value,
            reason: v.reason,
          };
      const personId = event ? undefined : v.field === 'address' ? undefined : v.personId;
      return unwrap(
        api.POST('/api/v1/households/{id}/events', {
          params: { path: { id: household.id } },
          body: { type: 'CORRECTION', date: todayInChina(), ...(personId ? { personId } : {}), data: data as never },
        }),
      );
    },
    onSuccess: async () => {
      await refreshHousehold(queryClient, household.id);
      void message.success(event ? '已撤销该事件' : '已更正');
      onClose();
    },
    onError: (e) => {
      setError(e);
      showFieldProblems(form, e, (f) => {
        const name = f.replace(/^data\./, '');
        if (name === 'value') return [field === 'deathDate' ? 'deathDate' : 'value'];
        return ['field', 'personId', 'reason'].includes(name) ? [name] : undefined;
      });
    },
  });

  const members = household.members.filter((m) => field !== 'deathDate' || m.deathDate);
  return (
    <Modal
      open
      title={event ? '撤销登记有误的事件' : '更正登记信息'}
      okText={event ? '撤销事件' : '更正'}
      okButtonProps={event ? { danger: true } : undefined}
      cancelText="取消"
      onCancel={onClose}
      confirmLoading={correct.isPending}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <ProblemAlert error={error} fieldsShown />
      <Form form={form} layout="vertical" onFinish={(v) => correct.mutate(v)}>
        {event ? (
          <Typography.Paragraph>
            撤销 <strong>{event.date}</strong> 登记的“{label(EVENT_TYPE, event.type)}”
            {eventText ? `（${eventText}）` : ''}
            。撤销后此事件仍保留在记录中并标明已撤销，资格自该事件的发生日期起重新判定。
          </Typography.Paragraph>
        ) : (
          <>
            <Form.Item label="更正项目" name="field" rules={[{ required: true, message: '请选择更正项目' }]}>
              <Select
                autoFocus
                showSearch={{ optionFilterProp: 'label' }}
                options={Object.entries(FIELDS).map(([value, text]) => ({ value, label: text }))}
              />
            </Form.Item>
            {field && field !== 'address' && (
              <Form.Item label="涉及成员" name="personId" rules={[{ required: true, message: '请选择成员' }]}>
                <Select
                  showSearch={{ optionFilterProp: 'label' }}
                  options={members.map((m) => ({
                    value: m.personId,
                    label: `${m.name}（${m.birthDate}${m.deathDate ? `，${m.deathDate} 死亡` : ''}）`,
                  }))}
                />
              </Form.Item>
            )}
            {field === 'deathDate' ? (
              <Form.Item label="正确的死亡日期" name="deathDate" rules={[{ required: true, message: '请选择日期' }]}>
                <DatePicker format="YYYY-MM-DD" style={{ width: '100%' }} />
              </Form.Item>
            ) : (
              field && (
                <Form.Item
                  key={field}
                  label={`正确的${FIELDS[field]}`}
                  name="value"
                  initialValue={field === 'address' ? household.address : undefined}
                  rules={[{ required: true, whitespace: true, message: `请填写正确的${FIELDS[field]}` }]}
                >
                  <Input maxLength={field === 'address' ? 200 : 50} />
                </Form.Item>
              )
            )}
          </>
        )}
        <Form.Item
          label={event ? '撤销原因' : '更正原因'}
          name="reason"
          rules={[{ required: true, whitespace: true, message: '请填写原因' }]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount autoFocus={!!event} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
