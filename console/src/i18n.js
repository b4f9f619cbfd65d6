// Chinese first, English beside it: one dictionary per language; the choice is kept on the device.
const KEY = 'agritrace.lang'
const listeners = new Set()

const zh = {
  app: '农产品质量安全追溯监管平台',
  field: '现场执法',
  signIn: '登录',
  signOut: '退出',
  signingIn: '正在登录…',
  loading: '加载中…',
  language: 'English',
  home: '首页',
  results: '结果录入',
  agency: '本机构',
  region: '辖区',
  roles: '角色',
  spotChecks: '监督抽查任务',
  monitoring: '风险监测任务',
  overdue: '逾期未整改',
  activity: '最新动态',
  none: '暂无',
  title: '名称',
  state: '状态',
  deadline: '截止',
  progress: '进度',
  due: '到期',
  subject: '主体',
  item: '检查项',
  when: '时间',
  what: '事项',
  who: '操作人',
  problem: '请求未成功',
  field_: '字段',
  row: '第 {n} 行',
  sample: '样品编号',
  analyte: '检测项目',
  value: '检测值',
  unit: '单位',
  notDetected: '未检出',
  addRow: '添加一行',
  paste: '粘贴表格（样品编号、项目、检测值、单位，以制表符或逗号分隔）',
  pasteApply: '导入粘贴内容',
  submit: '提交结果',
  submitted: '已提交 {samples} 个样品：录入 {entered} 项结果，未变 {unchanged} 项，不合格样品 {unqualified} 个',
  nothingWritten: '有错误，未写入任何结果。请修改标红的行后重新提交。',
  outcome: '结论',
  subjectView: '主体详情',
  notFound: '未找到',
  scan: '扫码',
  scanHint: '将追溯码对准摄像头',
  stopScan: '停止',
  codeInput: '或输入追溯码',
  open: '查询',
  queue: '待发送',
  queueEmpty: '没有待发送的记录',
  online: '在线',
  offline: '离线',
  sendNow: '立即发送',
  recordInspection: '记录巡查',
  recordSample: '现场抽样',
  task: '监测任务',
  traceCode: '追溯码',
  productCode: '产品代码',
  productName: '产品名称',
  subjectName: '受检单位',
  placeRegion: '县区代码',
  address: '地址',
  quantity: '抽样数量',
  sealNo: '封签号',
  noTask: '没有已接收的监测任务（联网时读取）',
  note: '情况说明',
  photo: '照片',
  save: '保存（离线也可）',
  saved: '已保存，联网后自动发送',
  sent: '已送达',
  waiting: '等待网络',
  failed: '被拒绝',
  product: '产品',
  batch: '批次',
  base: '基地',
  keyObject: '重点监管对象',
  badRecords: '不良记录',
  usable: '可用',
  install: '安装到桌面',
}

const en = {
  app: 'Agricultural Product Traceability Supervision',
  field: 'Field mode',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signingIn: 'Signing in…',
  loading: 'Loading…',
  language: '中文',
  home: 'Home',
  results: 'Result entry',
  agency: 'Agency',
  region: 'Jurisdiction',
  roles: 'Roles',
  spotChecks: 'Supervision spot checks',
  monitoring: 'Risk-monitoring tasks',
  overdue: 'Corrective actions overdue',
  activity: 'Recent activity',
  none: 'None',
  title: 'Title',
  state: 'State',
  deadline: 'Deadline',
  progress: 'Progress',
  due: 'Due',
  subject: 'Subject',
  item: 'Item',
  when: 'When',
  what: 'What',
  who: 'By',
  problem: 'The request did not succeed',
  field_: 'Field',
  row: 'Row {n}',
  sample: 'Sample id',
  analyte: 'Analyte',
  value: 'Value',
  unit: 'Unit',
  notDetected: 'Not detected',
  addRow: 'Add a row',
  paste: 'Paste a table (sample id, analyte, value, unit; tab or comma separated)',
  pasteApply: 'Import the pasted rows',
  submit: 'Submit results',
  submitted: '{samples} samples submitted: {entered} results entered, {unchanged} unchanged, {unqualified} samples unqualified',
  nothingWritten: 'Errors found: nothing was written. Correct the rows marked in red and submit again.',
  outcome: 'Outcome',
  subjectView: 'Subject',
  notFound: 'Not found',
  scan: 'Scan',
  scanHint: 'Point the camera at a traceability code',
  stopScan: 'Stop',
  codeInput: 'or type a code',
  open: 'Look up',
  queue: 'Waiting to send',
  queueEmpty: 'Nothing waiting to be sent',
  online: 'Online',
  offline: 'Offline',
  sendNow: 'Send now',
  recordInspection: 'Record an inspection',
  recordSample: 'Record a sample',
  task: 'Monitoring task',
  traceCode: 'Trace code',
  productCode: 'Product code',
  productName: 'Product',
  subjectName: 'Sampled unit',
  placeRegion: 'County code',
  address: 'Address',
  quantity: 'Quantity',
  sealNo: 'Seal number',
  noTask: 'No received monitoring task (read when online)',
  note: 'Notes',
  photo: 'Photo',
  save: 'Save (works offline)',
  saved: 'Saved; it is sent when the network returns',
  sent: 'Delivered',
  waiting: 'Waiting for the network',
  failed: 'Refused',
  product: 'Product',
  batch: 'Batch',
  base: 'Base',
  keyObject: 'Key supervision object',
  badRecords: 'Bad records',
  usable: 'Ready',
  install: 'Install',
}

const dictionaries = { zh, en }

// A screen's own words, added when its module loads (both languages at once).
export function extend(more) {
  Object.assign(zh, more.zh)
  Object.assign(en, more.en)
}

// The activity feed's `kind` and the verb of its `action` (`<kind>.<verb>`), in Chinese; English shows the code.
const KINDS = {
  Agency: '机构', User: '用户', Subject: '主体', Base: '基地', Product: '产品', Batch: '批次',
  Instruction: '调度指令', MonitoringTask: '监测任务', Assignment: '监测任务分工', Sample: '样品',
  SpotCheck: '抽查任务', Draw: '双随机抽取', Case: '执法案件', Inspection: '巡查', CorrectiveAction: '整改',
  InspectionTemplate: '检查规范',
}
const VERBS = {
  created: '创建', added: '新增', issued: '赋码', registered: '登记', approved: '审核通过', rejected: '驳回',
  drafted: '起草', published: '下发', received: '接收', assigned: '实施', split: '分解', reported: '报告',
  accepted: '验收', cancelled: '撤销', returned: '退回', opened: '开启', reminded: '提醒', overdue: '逾期',
  closed: '关闭', recorded: '记录', entered: '录入', acknowledged: '签收', escalated: '升级', key_object: '重点监管标记',
  updated: '变更', sampled: '抽样', tested: '检测', failed: '不合格',
}

export function actionName(kind, action) {
  if (lang() !== 'zh') return action
  const verb = VERBS[(action || '').split('.').pop()]
  return verb ? `${KINDS[kind] || kind}${verb}` : action
}

export function lang() {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh'
}

export function setLang(value) {
  localStorage.setItem(KEY, value)
  document.documentElement.lang = value === 'zh' ? 'zh-CN' : 'en'
  listeners.forEach((fn) => fn(value))
}

export function onLang(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

export function t(key, vars = {}) {
  const text = dictionaries[lang()][key] ?? zh[key] ?? key
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''))
}

export function when(iso) {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' })
}
