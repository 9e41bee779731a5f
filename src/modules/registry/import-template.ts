import ExcelJS from 'exceljs';
import { COLUMN_HEADERS_ZH } from './import-columns.js';

export const TEMPLATE_FORMATS = ['xlsx', 'csv'] as const;
export type TemplateFormat = (typeof TEMPLATE_FORMATS)[number];

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const UTF8_BOM = '\uFEFF';

/**
 * The registry import template: the Chinese headers of every column, in the order of
 * import-format.md. The XLSX formats every column but the dates as text, so that Excel keeps an 18-digit ID
 * number or a 19-digit account exactly (as a number it would round them).
 */
export async function importTemplate(
  format: TemplateFormat,
): Promise<{ contentType: string; filename: string; body: Buffer }> {
  const headers = Object.values(COLUMN_HEADERS_ZH);
  if (format === 'csv') {
    return {
      contentType: 'text/csv; charset=utf-8',
      filename: 'registry-import-template.csv',
      body: Buffer.from(`${UTF8_BOM}${headers.join(',')}\r\n`, 'utf8'),
    };
  }
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('户籍导入');
  sheet.columns = headers.map((header) => ({
    header,
    width: Math.max(12, header.length * 2 + 4),
    style: { numFmt: '@' },
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return {
    contentType: XLSX_CONTENT_TYPE,
    filename: 'registry-import-template.xlsx',
    body: Buffer.from(await workbook.xlsx.writeBuffer()),
  };
}
