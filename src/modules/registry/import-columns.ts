import type { Language } from '../../common/i18n/i18n.js';

/**
 * The Chinese column headers of the registry import (the template offers them; the canonical
 * English names of import-format.md are accepted too), and the Chinese words accepted for coded
 * values. Pure data: the import and the template read the same table.
 */
export const COLUMN_HEADERS_ZH = {
  household_no: '户号',
  region_code: '村（社区）代码',
  address: '家庭住址',
  id_number: '身份证号',
  name: '姓名',
  relation: '与户主关系',
  hukou_type: '户口性质',
  birth_date: '出生日期',
  sex: '性别',
  birth_order: '孩次',
  adopted: '是否收养',
  adopted_on: '收养日期',
  death_date: '死亡日期',
  disability_grade: '伤残等级',
  disability_assessed_on: '伤残鉴定日期',
  complication_grade: '并发症等级',
  complication_assessed_on: '并发症鉴定日期',
  certificate_no: '独生子女证编号',
  certificate_issued_on: '领证日期',
  violation_years: '违反政策年份',
  quota_waived_on: '放弃生育指标日期',
  bank_code: '银行代码',
  account_no: '一卡通账号',
} as const;

export type ImportColumn = keyof typeof COLUMN_HEADERS_ZH;

const BY_CHINESE = new Map<string, ImportColumn>(
  Object.entries(COLUMN_HEADERS_ZH).map(([column, header]) => [header, column as ImportColumn]),
);

/** The canonical column a header cell names (Chinese or English, any case, spaces and BOM trimmed). */
export function canonicalColumn(header: string): string {
  const trimmed = header.replace(/^\uFEFF/, '').trim();
  return BY_CHINESE.get(trimmed) ?? trimmed.toLowerCase();
}

/** Chinese words a clerk may type for the coded values (户主 for HEAD, 农业 for RURAL, 男 for M, 是 for Y). */
const VALUE_WORDS: Partial<Record<ImportColumn, Record<string, string>>> = {
  relation: { 户主: 'HEAD', 配偶: 'SPOUSE', 子女: 'CHILD', 父母: 'PARENT', 其他: 'OTHER' },
  hukou_type: { 农业: 'RURAL', 农业户口: 'RURAL', 农村: 'RURAL', 非农业: 'URBAN', 非农业户口: 'URBAN', 城镇: 'URBAN' },
  sex: { 男: 'M', 女: 'F' },
  adopted: { 是: 'Y', 否: 'N' },
};

/** A cell's value with a Chinese word for a code replaced by the code; anything else as given. */
export function canonicalValue(column: string, value: string): string {
  const words = VALUE_WORDS[column as ImportColumn];
  return words?.[value.trim()] ?? value;
}

/** A column as a problem names it: its Chinese header, or the canonical name in English. */
export function columnName(column: string, lang: Language): string {
  return lang === 'en' ? column : (COLUMN_HEADERS_ZH[column as ImportColumn] ?? column);
}
