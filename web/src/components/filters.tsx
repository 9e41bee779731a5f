import { Form, Select } from 'antd';
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
