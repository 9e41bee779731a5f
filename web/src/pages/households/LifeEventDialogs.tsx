import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, DatePicker, Form, Input, InputNumber, Modal, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Schemas } from '../../api/types';
import { ProblemAlert, showFieldProblems } from '../../components/problem';
import { EVENT_TYPE, HUKOU, RELATION } from '../../i18n/labels';
import { refreshHousehold } from './CorrectionDialog';
import { IdNumberField } from './IdNumberField';

type Household = Schemas['HouseholdViewDto'];
type EventType = Schemas['LifeEventDto']['type'];

/**
 * What each event asks for: a member it concerns, and its own facts. The account change has its own
 * dialog, and a correction (which names the event it withdraws, or the field it corrects) its own
 * (CorrectionDialog).
 */
const FORMS: Record<Exclude<EventType, 'BANK_ACCOUNT_CHANGE' | 'CORRECTION'>, { person: boolean; fields: string[] }> = {
  DEATH: { person: true, fields: [] },
  BIRTH: { person: false, fields: ['name', 'idNumber', 'hukouType', 'birthOrder', 'parents'] },
  ADOPTION: { person: false, fields: ['name', 'idNumber', 'hukouType', 'birthOrder', 'parents'] },
  MEMBER_JOINED: { person: false, fields: ['name', 'idNumber', 'relation', 'hukouType', 'parents'] },
  DISABILITY_ASSESSED: { person: true, fields: ['grade4'] },
  COMPLICATION_ASSESSED: { person: true, fields: ['grade3'] },
  CERTIFICATE_ISSUED: { person: false, fields: ['certificateNo'] },
  CERTIFICATE_REVOKED: { person: false, fields: [] },
  VIOLATION_RECORDED: { person: false, fields: ['year'] },
  QUOTA_WAIVED: { person: false, fields: [] },
  HUKOU_CHANGE: { person: true, fields: ['hukouType'] },
  MOVE: { person: false, fields: ['regionCode', 'address'] },
  COLLEGE_ADMITTED: { person: true, fields: ['none'] },
  MOVE_IN: { person: true, fields: ['fromPlace'] },
  MOVE_OUT: { person: true, fields: [] },
  MEMBER_LEFT: { person: true, fields: [] },
};

/** A parent chosen among the members, or anyone registered in the city by ID number. */
const BY_ID_NUMBER = 'BY_ID_NUMBER';

interface Values {
  type: keyof typeof FORMS;
  date: Dayjs;
  personId?: string;
  name?: string;
  idNumber?: string;
  hukouType?: string;
  birthOrder?: number;
  grade4?: number;
  grade3?: number;
  certificateNo?: string;
  year?: number;
  regionCode?: string;
  address?: string;
  fromPlace?: string;
  relation?: string;
  motherChoice?: string;
  motherIdNumber?: string;
  fatherChoice?: string;
  fatherIdNumber?: string;
}

/** The member's own mother and father: by person id, by ID number, or left to the server's default. */
function parentsOf(v: Values): Record<string, string> {
  const links: Record<string, string> = {};
  for (const kind of ['mother', 'father'] as const) {
    const choice = v[`${kind}Choice`];
    if (choice === BY_ID_NUMBER && v[`${kind}IdNumber`]) links[`${kind}IdNumber`] = v[`${kind}IdNumber`]!;
    else if (choice && choice !== BY_ID_NUMBER) links[`${kind}PersonId`] = choice;
  }
  return links;
}

function dataOf(v: Values): Record<string, unknown> | undefined {
  switch (v.type) {
    case 'BIRTH':
    case 'ADOPTION':
      return {
        name: v.name,
        idNumber: v.idNumber,
        hukouType: v.hukouType,
        ...(v.birthOrder ? { birthOrder: v.birthOrder } : {}),
        ...parentsOf(v),
      };
    case 'MEMBER_JOINED':
      return {
        member: { name: v.name, idNumber: v.idNumber, relation: v.relation, hukouType: v.hukouType, ...parentsOf(v) },
      };
    case 'DISABILITY_ASSESSED':
      return { grade: v.grade4 };
    case 'COMPLICATION_ASSESSED':
      return { grade: v.grade3 };
    case 'CERTIFICATE_ISSUED':
      return { certificateNo: v.certificateNo };
    case 'VIOLATION_RECORDED':
      return { year: v.year };
    case 'HUKOU_CHANGE':
      return { hukouType: v.hukouType };
    case 'MOVE_IN':
      return { fromPlace: v.fromPlace };
    case 'MOVE':
      return { regionCode: v.regionCode, ...(v.address ? { address: v.address } : {}) };
    default:
      return undefined;
  }
}

/** The server names `data.grade` or `data.member.idNumber`; the form's field for it depends on the event. */
const formField = (type: string) => (field: string) => {
  const name = field.replace(/^data\./, '').replace(/^member\./, '');
  if (name === 'grade') return [type === 'DISABILITY_ASSESSED' ? 'grade4' : 'grade3'];
  if (name === 'motherPersonId' || name === 'fatherPersonId') return [name.replace('PersonId', 'Choice')];
  if (name === 'member') return ['name'];
  return [name];
};

/** Mother and father of a new member: a member of this household, or a person by ID number. */
function ParentFields({ household }: { household: Household }) {
  const form = Form.useFormInstance<Values>();
  const choices = { mother: Form.useWatch('motherChoice', form), father: Form.useWatch('fatherChoice', form) };
  return (
    <>
      {(['mother', 'father'] as const).map((kind) => {
        const word = kind === 'mother' ? '母亲' : '父亲';
        const sex = kind === 'mother' ? 'F' : 'M';
        return (
          <div key={kind}>
            <Form.Item
              label={word}
              name={`${kind}Choice`}
              extra={`不选则按户主、配偶中的${kind === 'mother' ? '女性' : '男性'}关联`}
            >
              <Select
                allowClear
                placeholder="按户主、配偶关联"
                showSearch={{ optionFilterProp: 'label' }}
                options={[
                  ...household.members
                    .filter((m) => m.sex === sex)
                    .map((m) => ({ value: m.personId, label: `${m.name}（本户，${m.birthDate}）` })),
                  { value: BY_ID_NUMBER, label: '非本户成员（按身份证号）' },
                ]}
              />
            </Form.Item>
            {choices[kind] === BY_ID_NUMBER && <IdNumberField name={`${kind}IdNumber`} label={`${word}身份证号`} />}
          </div>
        );
      })}
    </>
  );
}

export function LifeEventDialog({ household, onClose }: { household: Household; onClose: () => void }) {
  const [form] = Form.useForm<Values>();
  const type = Form.useWatch('type', form);
  const [error, setError] = useState<unknown>();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const spec = type ? FORMS[type] : undefined;
  const who = type === 'MEMBER_JOINED' ? '新成员' : '子女';
  const living = household.members.filter((m) => !m.deathDate);

  const record = useMutation({
    mutationFn: (v: Values) =>
      unwrap(
        api.POST('/api/v1/households/{id}/events', {
          params: { path: { id: household.id } },
          body: {
            type: v.type,
            date: v.date.format('YYYY-MM-DD'),
            ...(v.personId ? { personId: v.personId } : {}),
            ...(dataOf(v) ? { data: dataOf(v) as never } : {}),
          },
        }),
      ),
    onSuccess: async () => {
      await refreshHousehold(queryClient, household.id);
      void message.success('已登记');
      onClose();
    },
    onError: (e, v) => {
      setError(e);
      showFieldProblems(form, e, formField(v.type));
    },
  });

  return (
    <Modal
      open
      title="登记生活事件"
      okText="登记"
      cancelText="取消"
      onCancel={onClose}
      confirmLoading={record.isPending}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <ProblemAlert error={error} fieldsShown />
      <Form form={form} layout="vertical" onFinish={(v) => record.mutate(v)}>
        <Form.Item label="事件类型" name="type" rules={[{ required: true, message: '请选择事件类型' }]}>
          <Select
            autoFocus
            showSearch={{ optionFilterProp: 'label' }}
            options={Object.keys(FORMS).map((t) => ({ value: t, label: EVENT_TYPE[t] ?? t }))}
            placeholder="请选择"
          />
        </Form.Item>
        <Form.Item label="发生日期" name="date" rules={[{ required: true, message: '请选择发生日期' }]}>
          <DatePicker format="YYYY-MM-DD" style={{ width: '100%' }} />
        </Form.Item>
        {spec?.person && (
          <Form.Item label="涉及成员" name="personId" rules={[{ required: true, message: '请选择成员' }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              options={living.map((m) => ({ value: m.personId, label: `${m.name}（${m.birthDate}）` }))}
            />
          </Form.Item>
        )}
        {spec?.fields.includes('name') && (
          <Form.Item label={`${who}姓名`} name="name" rules={[{ required: true, message: '请填写姓名' }]}>
            <Input />
          </Form.Item>
        )}
        {spec?.fields.includes('idNumber') && <IdNumberField name="idNumber" label={`${who}身份证号`} />}
        {spec?.fields.includes('relation') && (
          <Form.Item label="与户主关系" name="relation" rules={[{ required: true, message: '请选择与户主关系' }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              options={Object.entries(RELATION)
                .filter(([value]) => value !== 'HEAD')
                .map(([value, text]) => ({ value, label: text }))}
            />
          </Form.Item>
        )}
        {spec?.fields.includes('hukouType') && (
          <Form.Item label="户口性质" name="hukouType" rules={[{ required: true, message: '请选择户口性质' }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              options={Object.entries(HUKOU).map(([value, label]) => ({ value, label }))}
            />
          </Form.Item>
        )}
        {spec?.fields.includes('birthOrder') && (
          <Form.Item label="孩次" name="birthOrder">
            <InputNumber min={1} max={20} />
          </Form.Item>
        )}
        {spec?.fields.includes('grade4') && (
          <Form.Item label="残疾等级（1 级最重）" name="grade4" rules={[{ required: true, message: '请填写等级' }]}>
            <InputNumber min={1} max={4} />
          </Form.Item>
        )}
        {spec?.fields.includes('grade3') && (
          <Form.Item label="并发症等级（1 级最重）" name="grade3" rules={[{ required: true, message: '请填写等级' }]}>
            <InputNumber min={1} max={3} />
          </Form.Item>
        )}
        {spec?.fields.includes('certificateNo') && (
          <Form.Item label="光荣证号" name="certificateNo" rules={[{ required: true, message: '请填写证号' }]}>
            <Input />
          </Form.Item>
        )}
        {spec?.fields.includes('year') && (
          <Form.Item label="违法生育年份" name="year" rules={[{ required: true, message: '请填写年份' }]}>
            <InputNumber min={1949} max={2100} />
          </Form.Item>
        )}
        {spec?.fields.includes('regionCode') && (
          <Form.Item
            label="迁入村（社区）代码（12 位）"
            name="regionCode"
            rules={[{ required: true, pattern: /^\d{12}$/, message: '村（社区）代码为 12 位数字' }]}
          >
            <Input inputMode="numeric" />
          </Form.Item>
        )}
        {spec?.fields.includes('fromPlace') && (
          <Form.Item name="fromPlace" label="迁出地" rules={[{ required: true, message: '请填写迁出地' }]}>
            <Input />
          </Form.Item>
        )}
        {spec?.fields.includes('address') && (
          <Form.Item label="新地址（不填则不变）" name="address">
            <Input />
          </Form.Item>
        )}
        {spec?.fields.includes('parents') && <ParentFields household={household} />}
      </Form>
    </Modal>
  );
}

interface AccountValues {
  bankCode: string;
  accountNo: string;
  holderPersonId: string;
}

export function BankAccountDialog({ household, onClose }: { household: Household; onClose: () => void }) {
  const [form] = Form.useForm<AccountValues>();
  const [error, setError] = useState<unknown>();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const change = useMutation({
    mutationFn: (body: AccountValues) =>
      unwrap(api.PUT('/api/v1/households/{id}/bank-account', { params: { path: { id: household.id } }, body })),
    onSuccess: async () => {
      await refreshHousehold(queryClient, household.id);
      void message.success('一卡通账户已变更');
      onClose();
    },
    onError: (e) => {
      setError(e);
      showFieldProblems(form, e, (field) => [field.replace(/^data\./, '')]);
    },
  });
  return (
    <Modal
      open
      title="变更一卡通账户"
      okText="变更"
      cancelText="取消"
      onCancel={onClose}
      confirmLoading={change.isPending}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <ProblemAlert error={error} fieldsShown />
      <Form form={form} layout="vertical" onFinish={(v) => change.mutate(v)}>
        <Form.Item
          label="银行代码"
          name="bankCode"
          extra="联行号银行类别码或银行简称，如 102、ICBC"
          rules={[{ required: true, message: '请填写银行代码' }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          label="账号"
          name="accountNo"
          rules={[{ required: true, pattern: /^\d{16,19}$/, message: '账号为 16 至 19 位数字' }]}
        >
          <Input inputMode="numeric" autoComplete="off" />
        </Form.Item>
        <Form.Item label="持卡人" name="holderPersonId" rules={[{ required: true, message: '请选择持卡人' }]}>
          <Select
            options={household.members
              .filter((m) => !m.deathDate)
              .map((m) => ({ value: m.personId, label: `${m.name}（${m.birthDate}）` }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
