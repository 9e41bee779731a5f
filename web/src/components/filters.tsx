import { Card, Form, InputNumber, Select, Space } from 'antd';
import { POLICY } from '../i18n/labels';

/**
 * One filter of a list, kept in the URL by the page: a labelled choice among the names of an enum,
 * empty meaning "all".
 */
export function EnumFilter({
  label,
  all,
  names,
  value,
  onChange,
  width = 340,
}: {
  label: string;
  all: string;
  names: Record<string, string>;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  width?: number;
}) {
  return (
    <Form.Item label={label} style={{ margin: 0 }}>
      <Select
        aria-label={label}
        allowClear
        placeholder={all}
        style={{ width }}
        value={value}
        onChange={onChange}
        options={Object.entries(names).map(([code, text]) => ({ value: code, label: text }))}
      />
    </Form.Item>
  );
}

export const PolicyFilter = (props: { value: string | undefined; onChange: (value: string | undefined) => void }) => (
  <EnumFilter label="政策" all="全部政策" names={POLICY} {...props} />
);

/** The fiscal year and policy a budget or report page is about, both kept in the URL by the page. */
export function YearAndPolicyFilters({
  fiscalYear,
  policyCode,
  onYear,
  onPolicy,
}: {
  fiscalYear: number;
  policyCode: string | undefined;
  onYear: (year: number) => void;
  onPolicy: (code: string | undefined) => void;
}) {
  return (
    <Card style={{ marginBottom: 16 }}>
      <Space wrap>
        <Form.Item label="预算年度" style={{ margin: 0 }}>
          <InputNumber
            aria-label="预算年度"
            min={2000}
            max={2100}
            value={fiscalYear}
            onChange={(v) => v && onYear(v)}
          />
        </Form.Item>
        <PolicyFilter value={policyCode} onChange={onPolicy} />
      </Space>
    </Card>
  );
}
