/**
 * Chinese labels for the API's machine names, until the API sends its own (it will localise its
 * texts; the codes stay). Unknown names are shown as they come, never hidden.
 */
export const ROLE: Record<string, string> = {
  CLERK: '乡镇计生专干',
  OFFICER: '县区卫健（计生）股室',
  FINANCE: '财政',
  AUDITOR: '审计',
  ADMIN: '系统管理员',
};

export const POLICY: Record<string, string> = {
  OCP_REWARD: '独生子女父母奖励费',
  RURAL_REWARD: '农村部分计划生育家庭奖励扶助',
  QUOTA_WAIVER_REWARD: '自愿放弃二孩生育指标奖励',
  RETIREMENT_REWARD: '独生子女父母退休一次性奖励',
  EXAM_BONUS: '农村独生子女和双女户子女中考加分',
  ELDER_CARE_PRIORITY: '敬老院优先入住',
  HOUSING_PRIORITY: '扶贫建房优先',
  NCMS_WAIVER: '新农合个人参合费减免',
  TUITION_WAIVER: '子女学杂费减免',
  COMPLICATION_SUPPORT: '计划生育手术并发症人员扶助',
  COLLEGE_GRANT: '农村独生子女和双女户子女升学资助',
  PENSION_SUBSIDY: '新农保缴费补贴',
  FP_INSURANCE: '计划生育家庭意外伤害保险',
  SPECIAL_BEREAVED: '计划生育家庭特别扶助（独生子女死亡）',
  SPECIAL_DISABLED: '计划生育家庭特别扶助（独生子女伤残）',
};

export const RELATION: Record<string, string> = {
  HEAD: '户主',
  SPOUSE: '配偶',
  CHILD: '子女',
  PARENT: '父母',
  OTHER: '其他',
};

export const HUKOU: Record<string, string> = { RURAL: '农业', URBAN: '非农业' };
export const SEX: Record<string, string> = { M: '男', F: '女' };

export const ENROLLMENT_STATUS: Record<string, string> = {
  DRAFT: '草稿',
  SUBMITTED: '已提交',
  PUBLICIZED: '公示中',
  APPROVED: '已审批',
  ACTIVE: '享受中',
  REJECTED: '已退回',
  SUSPENDED: '已暂停',
  TERMINATED: '已终止',
};

export const BATCH_STATUS: Record<string, string> = {
  DRAFT: '生成中',
  GENERATED: '已生成',
  GENERATION_FAILED: '生成失败',
  SUBMITTED: '已提交',
  APPROVED: '已审批',
  REJECTED: '已退回',
  EXPORTED: '已导出银行文件',
  SETTLED: '已结算',
  CLOSED: '已关闭',
  CANCELLED: '已取消',
};

export const LINE_STATUS: Record<string, string> = {
  PENDING: '待发放',
  EXPORTED: '已导出',
  PAID: '已发放',
  FAILED: '发放失败',
  CANCELLED: '已取消',
};

export const EVENT_TYPE: Record<string, string> = {
  BIRTH: '出生',
  DEATH: '死亡',
  ADOPTION: '收养',
  DISABILITY_ASSESSED: '残疾等级评定',
  COMPLICATION_ASSESSED: '手术并发症等级评定',
  CERTIFICATE_ISSUED: '领取独生子女父母光荣证',
  CERTIFICATE_REVOKED: '收回独生子女父母光荣证',
  VIOLATION_RECORDED: '违法生育记录',
  QUOTA_WAIVED: '自愿放弃二孩指标',
  HUKOU_CHANGE: '户口性质变更',
  MOVE: '迁往本市其他村（社区）',
  MOVE_IN: '户籍迁入本市',
  MOVE_OUT: '户籍迁出本市',
  MEMBER_JOINED: '成员加入本户',
  MEMBER_LEFT: '成员离开本户',
  CORRECTION: '更正',
  BANK_ACCOUNT_CHANGE: '一卡通账户变更',
  COLLEGE_ADMITTED: '升学录取',
  REGISTERED: '建档登记',
};

export const JOB_STATE: Record<string, string> = {
  waiting: '排队中',
  active: '进行中',
  completed: '已完成',
  failed: '失败',
};

/** Facts of the eligibility rules (GET /policies/facts). */
export const FACT: Record<string, string> = {
  'household.hukouType': '家庭户口性质',
  'household.childrenCount': '子女数',
  'household.adoptedChildren': '收养子女数',
  'household.livingSons': '现存儿子数',
  'household.livingDaughters': '现存女儿数',
  'household.twoDaughtersNoSon': '双女无子',
  'household.onlyChildAlive': '独生子女健在',
  'household.onlyChildDied': '独生子女死亡',
  'household.onlyChildAge': '独生子女年龄',
  'household.onlyChildAdopted': '独生子女系收养',
  'household.onlyChildDisabilityGrade': '独生子女残疾等级',
  'household.motherAge': '母亲年龄',
  'household.certificateValid': '持有效光荣证',
  'household.violations': '违法生育次数',
  'household.quotaWaived': '自愿放弃二孩指标',
  'person.relation': '与户主关系',
  'person.sex': '性别',
  'person.birthDate': '出生日期',
  'person.age': '年龄',
  'person.ageAtYearEnd': '当年周岁（按出生年份）',
  'person.alive': '本人健在',
  'person.hukouType': '本人户口性质',
  'person.adopted': '本人系收养',
  'person.disabilityGrade': '本人残疾等级',
  'person.complicationGrade': '本人手术并发症等级',
  'person.collegeAdmitted': '已被高校录取',
};

const WORDS: [RegExp, string][] = [
  [/\bamount by\b/g, '金额依据'],
  [/!=/g, '≠'],
  [/<=/g, '≤'],
  [/>=/g, '≥'],
  [/\bbetween (\S+) and (\S+)/g, '介于 $1 至 $2'],
  [/\bin \[/g, '属于 ['],
  [/\band\b/g, '且'],
  [/\bor\b/g, '或'],
  [/\bnot\b/g, '非'],
  [/\btrue\b/g, '是'],
  [/\bfalse\b/g, '否'],
  [/\bnull\b/g, '无'],
  [/\bRURAL\b/g, '农业'],
  [/\bURBAN\b/g, '非农业'],
];

/**
 * A rule condition as the server writes it (`household.onlyChildDied = true and person.age >= 49`)
 * in the words a township clerk reads (`独生子女死亡 = 是 且 年龄 ≥ 49`).
 */
export function conditionText(condition: string): string {
  let text = condition.replace(/\b(household|person)\.[A-Za-z]+\b/g, (fact) => FACT[fact] ?? fact);
  for (const [pattern, word] of WORDS) text = text.replace(pattern, word);
  return text;
}

/** A fact's value (`true`, `3`, `"RURAL"`, null) in words. */
export function factValue(value: unknown): string {
  if (value === true) return '是';
  if (value === false) return '否';
  if (value === null || value === undefined) return '无';
  if (typeof value === 'string') return HUKOU[value] ?? RELATION[value] ?? SEX[value] ?? value;
  if (Array.isArray(value)) return value.map(factValue).join('、');
  return String(value);
}

export const label = (table: Record<string, string>, value: string | null | undefined) =>
  value == null ? '' : (table[value] ?? value);

/** Chinese titles for the API's problem codes; the server's `detail` is always shown beside. */
export const PROBLEM: Record<string, string> = {
  VALIDATION_FAILED: '填写有误',
  INVALID_ID_NUMBER: '身份证号码有误',
  DUPLICATE_PERSON: '此人已在本市登记',
  NOT_ELIGIBLE: '不符合条件',
  SELF_APPROVAL_FORBIDDEN: '不能审批自己经办的事项',
  INVALID_STATE_TRANSITION: '当前状态下不能进行此操作',
  DUPLICATE_ENROLLMENT: '已有在办或享受中的申请',
  BULK_ACTION_FAILED: '批量操作未执行',
  NOTICE_PERIOD_NOT_OVER: '公示期未满',
  DUPLICATE_HOUSEHOLD: '户号已存在',
  BANK_FILE_REJECTED: '银行文件被拒绝',
  WRONG_PASSWORD: '当前密码不正确',
  IMPORT_REJECTED: '导入文件有错误，未导入',
  NOT_FOUND: '未找到',
  TOO_MANY_LOGIN_ATTEMPTS: '登录失败次数过多',
  INSUFFICIENT_BUDGET: '预算不足',
};

/** Columns of the registry import file (src/modules/registry/import-format.md). */
export const IMPORT_COLUMN: Record<string, string> = {
  household_no: '户号',
  region_code: '村（社区）代码',
  address: '地址',
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
  disability_grade: '残疾等级',
  disability_assessed_on: '残疾评定日期',
  complication_grade: '并发症等级',
  complication_assessed_on: '并发症评定日期',
  certificate_no: '光荣证号',
  certificate_issued_on: '发证日期',
  violation_years: '违法生育年份',
  quota_waived_on: '放弃二孩指标日期',
  bank_code: '银行代码',
  account_no: '账号',
};

/** Funding levels of a budget line (the server's labels.fundingLevel). */
export const FUNDING_LEVEL: Record<string, string> = {
  CENTRAL: '中央',
  PROVINCIAL: '省级',
  MUNICIPAL: '市级',
  COUNTY: '县级',
};

/** Problem codes of the finance, audit and administration screens. */
Object.assign(PROBLEM, {
  IDEMPOTENCY_KEY_REUSED: '重复提交的请求内容不一致',
  VERSION_IN_USE: '该政策版本已用于发放，不能更改',
  OUT_OF_SCOPE: '超出本人管辖范围',
  FORBIDDEN: '无权进行此操作',
  ALREADY_REVERSED: '该拨款已冲销',
  USERNAME_TAKEN: '用户名已被占用',
  REGION_EXISTS: '该区划代码已存在',
} satisfies Record<string, string>);

/** Overpayment claims (多付追回): statuses, recoveries and the steps of a claim's history. */
export const CLAIM_STATUS: Record<string, string> = {
  OPEN: '待追回',
  RECOVERING: '追回中',
  RECOVERED: '已追回',
  WRITE_OFF_PROPOSED: '核销待审批',
  WRITTEN_OFF: '已核销',
  WITHDRAWN: '已撤销',
};

export const RECOVERY_KIND: Record<string, string> = {
  OFFSET: '发放抵扣',
  REFUND: '退款',
  WRITE_OFF: '核销',
  WITHDRAWAL: '撤销（事件更正）',
};

export const RECOVERY_STATUS: Record<string, string> = {
  RESERVED: '待批次审批',
  DONE: '已完成',
  CANCELLED: '批次退回，已取消',
  REVERSED: '银行发放失败，已冲回',
};

export const CLAIM_ACTION: Record<string, string> = {
  'overpayment.claim_opened': '发现多付，立追回单',
  'overpayment.periods_added': '新增多付期间',
  'overpayment.periods_withdrawn': '事件更正，撤销多付期间',
  'overpayment.withdrawal_refused': '已追回部分不予撤销',
  'overpayment.offset_recovered': '发放批次审批，抵扣追回',
  'overpayment.offset_released': '发放批次退回，释放抵扣',
  'overpayment.offset_reversed': '银行发放失败，抵扣冲回',
  'overpayment.claims_merged': '追回单合并',
  'overpayment.refunded': '登记退款',
  'overpayment.write_off_proposed': '提议核销',
  'overpayment.write_off_rejected': '退回核销提议',
  'overpayment.write_off_withdrawn': '应追金额变化，核销提议作废',
  'overpayment.written_off': '批准核销',
};

Object.assign(PROBLEM, {
  REFUND_EXCEEDS_OUTSTANDING: '退款金额超过未追回金额',
  DUPLICATE_RECEIPT: '收据号已登记',
  OFFSETS_PENDING: '有待审批批次的抵扣，暂不能核销',
} satisfies Record<string, string>);
