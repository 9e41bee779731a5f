import { Form, Input } from 'antd';
import { idCheckCharacter } from '../../../../src/modules/registry/id-number';
import { isCalendarDate } from '../../../../src/common/calendar';
import { todayInChina } from '../tasks/tasks';

export type IdCheck =
  { ok: true; birthDate: string; sex: 'M' | 'F' } | { ok: false; message: string } | { ok: 'incomplete' };

/**
 * The resident ID checked as it is typed, with the server's own GB 11643 check character function
 * (src/modules/registry/id-number.ts): the birth date and sex it carries, or what is wrong with it.
 */
export function checkIdNumber(raw: string | undefined): IdCheck {
  const value = (raw ?? '').trim().toUpperCase();
  if (value.length === 0) return { ok: 'incomplete' };
  if (!/^\d{0,17}$/.test(value.slice(0, 17)) || (value.length === 18 && !/[\dX]$/.test(value))) {
    return { ok: false, message: '身份证号由 17 位数字和 1 位校验码（数字或 X）组成' };
  }
  if (value.length > 18) return { ok: false, message: `身份证号应为 18 位，现在是 ${value.length} 位` };
  if (value.length >= 14) {
    const [y, m, d] = [value.slice(6, 10), value.slice(10, 12), value.slice(12, 14)];
    if (Number(y) < 1800 || !isCalendarDate(Number(y), Number(m), Number(d))) {
      return { ok: false, message: `身份证号中的出生日期 ${y}${m}${d} 不是有效日期` };
    }
    if (`${y}-${m}-${d}` > todayInChina()) return { ok: false, message: `出生日期 ${y}-${m}-${d} 晚于今天` };
  }
  if (value.length < 18) return { ok: 'incomplete' };
  const expected = idCheckCharacter(value.slice(0, 17));
  if (value[17] !== expected) {
    return { ok: false, message: `校验码错误：第 18 位应为 ${expected}，输入的是 ${value[17]}，请核对号码` };
  }
  return {
    ok: true,
    birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
    sex: Number(value[16]) % 2 === 1 ? 'M' : 'F',
  };
}

/**
 * A resident ID input: wrong as soon as it is wrong, and showing the birth date and sex it holds.
 * Inside a Form.List, `name` is relative to the list and `path` is the field's full name.
 */
export function IdNumberField({
  name,
  path = name,
  label,
}: {
  name: string | (string | number)[];
  path?: string | (string | number)[];
  label: string;
}) {
  return (
    <Form.Item noStyle shouldUpdate>
      {({ getFieldValue }) => {
        const check = checkIdNumber(getFieldValue(path));
        return (
          <Form.Item
            label={label}
            name={name}
            validateTrigger={['onChange', 'onBlur']}
            normalize={(v: string) => v?.toUpperCase()}
            extra={
              check.ok === true ? `出生日期 ${check.birthDate}，性别 ${check.sex === 'M' ? '男' : '女'}` : undefined
            }
            rules={[
              { required: true, message: `请填写${label}` },
              {
                validator: (_, v: string | undefined) => {
                  const c = checkIdNumber(v);
                  if (c.ok === false) return Promise.reject(new Error(c.message));
                  return Promise.resolve();
                },
              },
              {
                validator: (_, v: string | undefined) =>
                  (v ?? '').length === 18 || !(v ?? '').length
                    ? Promise.resolve()
                    : Promise.reject(new Error('身份证号应为 18 位')),
                validateTrigger: 'onBlur',
              },
            ]}
          >
            <Input maxLength={18} autoComplete="off" spellCheck={false} style={{ fontFamily: 'monospace' }} />
          </Form.Item>
        );
      }}
    </Form.Item>
  );
}
