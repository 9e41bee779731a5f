import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { App, Button, Card, Col, DatePicker, Divider, Form, Input, InputNumber, Row, Select, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, request, unwrap } from '../../api/client';
import type { Page, Schemas } from '../../api/types';
import { useUser } from '../../auth/session';
import { PageHead } from '../../components/common';
import { ProblemAlert, showFieldProblems } from '../../components/problem';
import { HUKOU, RELATION } from '../../i18n/labels';
import { IdNumberField } from './IdNumberField';

interface MemberValues {
  name: string;
  relation: Schemas['MemberInputDto']['relation'];
  idNumber: string;
  hukouType: Schemas['MemberInputDto']['hukouType'];
  birthOrder?: number;
}

interface Values {
  householdNo: string;
  regionCode: string;
  address: string;
  members: MemberValues[];
  certificateNo?: string;
  certificateIssuedOn?: Dayjs;
  bankCode?: string;
  accountNo?: string;
  holderIdNumber?: string;
}

const options = (table: Record<string, string>) => Object.entries(table).map(([value, label]) => ({ value, label }));

/** 登记新户: one form, usable with the keyboard alone (Tab, typing, Enter to submit). */
export default function RegisterHouseholdPage() {
  const user = useUser();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<unknown>();
  const villages = useQuery({
    queryKey: ['regions', user.regionCode],
    queryFn: () => request<Page<Schemas['RegionDto']>>('GET', `/regions?parent=${user.regionCode}&limit=500`),
  });

  const register = useMutation({
    mutationFn: (v: Values) =>
      unwrap(
        api.POST('/api/v1/households', {
          body: {
            householdNo: v.householdNo.trim(),
            regionCode: v.regionCode,
            address: v.address.trim(),
            members: v.members.map((m) => ({
              name: m.name.trim(),
              relation: m.relation,
              idNumber: m.idNumber.trim(),
              hukouType: m.hukouType,
              ...(m.relation === 'CHILD' && m.birthOrder ? { birthOrder: m.birthOrder } : {}),
            })),
            ...(v.certificateNo && v.certificateIssuedOn
              ? {
                  certificate: { certificateNo: v.certificateNo, issuedOn: v.certificateIssuedOn.format('YYYY-MM-DD') },
                }
              : {}),
            ...(v.accountNo && v.bankCode && v.holderIdNumber
              ? { bankAccount: { bankCode: v.bankCode, accountNo: v.accountNo, holderIdNumber: v.holderIdNumber } }
              : {}),
          },
        }),
      ),
    onSuccess: (household) => {
      void message.success(`已登记 ${household.householdNo}`);
      void navigate(`/households/${household.id}`);
    },
    onError: (e) => {
      setError(e);
      showFieldProblems(form, e, (field) => {
        const path = field.split('.');
        if (path[0] === 'certificate') return [path[1] === 'issuedOn' ? 'certificateIssuedOn' : 'certificateNo'];
        if (path[0] === 'bankAccount') return [path[1]];
        return path;
      });
    },
  });

  const villageList = villages.data?.items ?? [];

  return (
    <>
      <PageHead title="登记新户" crumbs={[{ title: '户籍档案', to: '/households' }, { title: '登记新户' }]} />
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => {
          setError(undefined);
          register.mutate(v);
        }}
        initialValues={{ members: [{ relation: 'HEAD', hukouType: 'RURAL' }] }}
        scrollToFirstError
      >
        <ProblemAlert error={error} fieldsShown />
        <Card title="户信息" style={{ marginBottom: 16 }}>
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item label="户号" name="householdNo" rules={[{ required: true, message: '请填写户号' }]}>
                <Input autoFocus />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item label="村（社区）" name="regionCode" rules={[{ required: true, message: '请选择村（社区）' }]}>
                <Select
                  showSearch={{ optionFilterProp: 'label' }}
                  loading={villages.isLoading}
                  options={villageList.map((r) => ({ value: r.code, label: `${r.name}（${r.code}）` }))}
                  notFoundContent="本乡镇尚无村（社区），请联系系统管理员添加"
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item label="地址" name="address" rules={[{ required: true, message: '请填写地址' }]}>
                <Input />
              </Form.Item>
            </Col>
          </Row>
        </Card>

        <Card title="家庭成员" style={{ marginBottom: 16 }}>
          <Form.List name="members">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field, index) => (
                  <fieldset key={field.key} style={{ border: 0, padding: 0, margin: 0 }}>
                    <legend style={{ fontSize: 15, fontWeight: 600, marginBottom: 8 }}>成员 {index + 1}</legend>
                    <Row gutter={16} align="top">
                      <Col xs={24} md={4}>
                        <Form.Item
                          label={`成员 ${index + 1} 姓名`}
                          name={[field.name, 'name']}
                          rules={[{ required: true, message: '请填写姓名' }]}
                        >
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={4}>
                        <Form.Item
                          label={`成员 ${index + 1} 与户主关系`}
                          name={[field.name, 'relation']}
                          rules={[{ required: true, message: '请选择关系' }]}
                        >
                          <Select showSearch={{ optionFilterProp: 'label' }} options={options(RELATION)} />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={7}>
                        <IdNumberField
                          name={[field.name, 'idNumber']}
                          path={['members', field.name, 'idNumber']}
                          label={`成员 ${index + 1} 身份证号`}
                        />
                      </Col>
                      <Col xs={24} md={4}>
                        <Form.Item
                          label={`成员 ${index + 1} 户口性质`}
                          name={[field.name, 'hukouType']}
                          rules={[{ required: true, message: '请选择户口性质' }]}
                        >
                          <Select showSearch={{ optionFilterProp: 'label' }} options={options(HUKOU)} />
                        </Form.Item>
                      </Col>
                      <Col xs={16} md={3}>
                        <Form.Item noStyle shouldUpdate>
                          {({ getFieldValue }) =>
                            getFieldValue(['members', field.name, 'relation']) === 'CHILD' ? (
                              <Form.Item label={`成员 ${index + 1} 孩次`} name={[field.name, 'birthOrder']}>
                                <InputNumber min={1} max={20} style={{ width: '100%' }} />
                              </Form.Item>
                            ) : null
                          }
                        </Form.Item>
                      </Col>
                      <Col xs={8} md={2} style={{ paddingTop: 30 }}>
                        {fields.length > 1 && (
                          <Button
                            icon={<DeleteOutlined />}
                            aria-label={`删除成员 ${index + 1}`}
                            onClick={() => remove(field.name)}
                          />
                        )}
                      </Col>
                    </Row>
                    <Divider style={{ margin: '4px 0 16px' }} />
                  </fieldset>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ relation: 'CHILD', hukouType: 'RURAL' })}>
                  添加成员
                </Button>
              </>
            )}
          </Form.List>
        </Card>

        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <Card title="独生子女父母光荣证（没有可不填）" style={{ marginBottom: 16 }}>
              <Form.Item label="光荣证号" name="certificateNo">
                <Input />
              </Form.Item>
              <Form.Item
                label="发证日期"
                name="certificateIssuedOn"
                dependencies={['certificateNo']}
                rules={[
                  ({ getFieldValue }) => ({
                    validator: (_, v) =>
                      !getFieldValue('certificateNo') || v
                        ? Promise.resolve()
                        : Promise.reject(new Error('请选择发证日期')),
                  }),
                ]}
              >
                <DatePicker format="YYYY-MM-DD" style={{ width: '100%' }} />
              </Form.Item>
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card title="一卡通账户（可稍后登记）" style={{ marginBottom: 16 }}>
              <Form.Item label="银行代码" name="bankCode" extra="如 102、ICBC">
                <Input />
              </Form.Item>
              <Form.Item
                label="账号"
                name="accountNo"
                rules={[{ pattern: /^\d{16,19}$/, message: '账号为 16 至 19 位数字' }]}
              >
                <Input inputMode="numeric" autoComplete="off" />
              </Form.Item>
              <Form.Item label="持卡人身份证号（须为本户成年成员）" name="holderIdNumber">
                <Input maxLength={18} autoComplete="off" />
              </Form.Item>
            </Card>
          </Col>
        </Row>
        <Typography.Paragraph type="secondary">出生日期和性别由身份证号得出，无需另填。</Typography.Paragraph>
        <Button type="primary" htmlType="submit" size="large" loading={register.isPending}>
          登记
        </Button>
      </Form>
    </>
  );
}
