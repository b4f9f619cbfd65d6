// A head's screens: statistics with charts, risk warnings, inspection plans and performance, complaints; and the
// public complaint page. Each shows what the API answers and sends what the user decided; refusals come as worded.
import { useEffect, useRef, useState } from 'preact/hooks'
import { api } from './api.js'
import { extend, lang, t, when } from './i18n.js'
import { Link, Panel, ProblemView, Table, useApi } from './ui.jsx'

extend({
  zh: {
    statistics: '数据统计', warnings: '风险预警', plans: '巡查计划', complaints: '投诉举报',
    period: '统计周期', periodDay: '日', periodMonth: '月', periodYear: '年', periodAll: '累计',
    figure: '指标', current: '本期', previous: '上期', change: '增减', drilldown: '下级辖区',
    up: '返回上级', chart: '图表', exportXlsx: '导出 XLSX', download: '下载',
    sampled: '抽样数', unqualified: '不合格数', passRate: '合格率', inspectionsDone: '巡查次数',
    handedOver: '移交执法', correctiveOverdue: '逾期整改', codesIssued: '赋码批次', onTimeRate: '任务按时率',
    level: '预警等级', value: '指标值', evidence: '依据', historyOf: '等级变化', acknowledgements: '签收',
    responses: '响应', acknowledge: '签收', respond: '记录响应', note: '说明', dispatch: '调度', disposal: '处置',
    blue: '蓝色（IV级）', yellow: '黄色（III级）', orange: '橙色（II级）', red: '红色（I级）',
    open: '未关闭', closed: '已关闭', by: '机构/人员', action: '措施',
    targets: '巡查目标', targetInspections: '巡查次数', keyObjects: '重点对象', township: '乡镇',
    performance: '绩效考核', supervisor: '监管员', target: '目标', done: '完成', completion: '完成率',
    keyDone: '重点对象完成', onTime: '按时上报', averageScore: '平均得分', failedItems: '不合格项',
    kind: '类别', complaint: '投诉', report: '举报', acceptDue: '受理期限', received: '收到',
    accept: '受理', answer: '答复办结', result: '结果', answerText: '答复内容', caseOf: '案件',
    fileComplaint: '我要投诉举报', fileSend: '提交', track: '查询进度', trackingNo: '受理编号', secret: '查询密码',
    name: '姓名', phone: '电话', address: '地址', placeRegion: '县区代码', whatHappened: '情况描述',
    filed: '已提交，请保存受理编号和查询密码（密码只显示一次）', agencyHandling: '承办机构', decision: '受理决定',
    substantiated: '属实', partly_substantiated: '部分属实', unsubstantiated: '不属实', mediated: '调解成功',
    mediation_failed: '调解不成', case_opened: '已立案',
  },
  en: {
    statistics: 'Statistics', warnings: 'Risk warnings', plans: 'Inspection plans', complaints: 'Complaints',
    period: 'Period', periodDay: 'Day', periodMonth: 'Month', periodYear: 'Year', periodAll: 'All time',
    figure: 'Figure', current: 'This period', previous: 'Previous', change: 'Change', drilldown: 'Regions below',
    up: 'Up one level', chart: 'Chart', exportXlsx: 'Export XLSX', download: 'Download',
    sampled: 'Sampled', unqualified: 'Unqualified', passRate: 'Pass rate', inspectionsDone: 'Inspections',
    handedOver: 'Handed to enforcement', correctiveOverdue: 'Corrective actions overdue', codesIssued: 'Codes issued',
    onTimeRate: 'Tasks on time',
    level: 'Level', value: 'Value', evidence: 'Evidence', historyOf: 'Level changes', acknowledgements: 'Acknowledged',
    responses: 'Responses', acknowledge: 'Acknowledge', respond: 'Record response', note: 'Note',
    dispatch: 'Dispatch', disposal: 'Disposal', blue: 'Blue (IV)', yellow: 'Yellow (III)', orange: 'Orange (II)',
    red: 'Red (I)', open: 'Open', closed: 'Closed', by: 'By', action: 'Action',
    targets: 'Targets', targetInspections: 'Inspections', keyObjects: 'Key objects', township: 'Township',
    performance: 'Performance', supervisor: 'Supervisor', target: 'Target', done: 'Done', completion: 'Completion',
    keyDone: 'Key objects done', onTime: 'On time', averageScore: 'Average score', failedItems: 'Failed items',
    kind: 'Kind', complaint: 'Complaint', report: 'Report', acceptDue: 'Accept by', received: 'Received',
    accept: 'Accept', answer: 'Answer and close', result: 'Result', answerText: 'Answer', caseOf: 'Case',
    fileComplaint: 'File a complaint or report', fileSend: 'Send', track: 'Follow my case', trackingNo: 'Tracking number',
    secret: 'Secret', name: 'Name', phone: 'Phone', address: 'Address', placeRegion: 'County code',
    whatHappened: 'What happened', filed: 'Filed: keep the tracking number and the secret (shown only once)',
    agencyHandling: 'Handling agency', decision: 'Decision', substantiated: 'Substantiated',
    partly_substantiated: 'Partly substantiated', unsubstantiated: 'Unsubstantiated', mediated: 'Mediated',
    mediation_failed: 'Mediation failed', case_opened: 'Case opened',
  },
})

// Record states in Chinese; English shows the API's code.
const STATES = {
  awaiting_files: '待上传附件', refused: '已拒收', received: '待受理', accepted: '已受理', rejected: '不予受理',
  answered: '已办结', objected: '有异议', closed: '已关闭', transferred_out: '已移送', draft: '草稿',
  published: '已发布', open: '未关闭', accept: '受理', reject: '不予受理',
}
const stateName = (s) => (lang() === 'zh' ? STATES[s] || s : s)

const pct = (rate) => (rate === null || rate === undefined ? '—' : `${(100 * rate).toFixed(1)}%`)
const signed = (n) => (n > 0 ? `+${n}` : `${n ?? 0}`)

// The figures a head reads first; every one is `figures.{family}.{figure}` as the API counts it.
const FIGURES = [
  ['sampled', 'samples', 'sampled'],
  ['unqualified', 'samples', 'verdict#unqualified'],
  ['inspectionsDone', 'inspections', 'done'],
  ['handedOver', 'cases', 'handed_over'],
  ['correctiveOverdue', 'corrective', 'state#overdue'],
  ['codesIssued', 'codes', 'issued'],
]
const figure = (figures, family, name) => figures?.[family]?.[name] ?? 0

function useReload() {
  const [n, setN] = useState(0)
  return [n, () => setN(n + 1)]
}

// Sends one act and reports it back: the API's answer, or its refusal shown as it came.
function useAct(after) {
  const [error, setError] = useState(null)
  const [busy, setBusy] = useState(false)
  async function act(path, body) {
    setBusy(true)
    setError(null)
    try {
      const answer = await api(path, { method: 'POST', body, headers: { 'Idempotency-Key': crypto.randomUUID() } })
      after?.(answer)
      return answer
    } catch (e) {
      setError(e)
      return null
    } finally {
      setBusy(false)
    }
  }
  return { act, error, busy }
}

export function Statistics({ me }) {
  const home = me.data?.agency?.region
  const [region, setRegion] = useState(null)
  const [period, setPeriod] = useState('month')
  const here = region || home
  const query = here ? `region=${here}&period=${period}` : null
  const overview = useApi(query && `/statistics/overview?${query}`)
  const drill = useApi(query && `/statistics/drilldown?${query}`)
  const exported = useAct()
  const [link, setLink] = useState(null)
  return (
    <div class="home">
      <section class="panel wide" data-testid="stats-controls">
        <h2>{t('statistics')}</h2>
        <label>
          {t('period')}{' '}
          <select data-testid="period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
            {[['day', 'periodDay'], ['month', 'periodMonth'], ['year', 'periodYear'], ['all', 'periodAll']].map(([v, k]) => (
              <option value={v}>{t(k)}</option>
            ))}
          </select>
        </label>{' '}
        {region && region !== home && (
          <button class="link" data-testid="up" onClick={() => setRegion(null)}>
            {t('up')}
          </button>
        )}{' '}
        <button
          data-testid="stats-export"
          disabled={exported.busy}
          onClick={() => exported.act('/statistics/exports', { table: 'drilldown', region: here, period }).then((a) => a && setLink(a))}
        >
          {t('exportXlsx')}
        </button>{' '}
        {link && (
          <a data-testid="stats-download" href={link.download_url} download={link.filename}>
            {t('download')} {link.filename}
          </a>
        )}
        <ProblemView error={exported.error} />
      </section>
      <Panel title={t('current') + ' / ' + t('previous')} state={overview} testid="overview">
        {(d) => (
          <>
            <p class="muted" data-testid="overview-key">
              {d.current.name} · {d.key}
              {d.previous_key ? ` ← ${d.previous_key}` : ''}
            </p>
            <Table
              testid="overview-table"
              rows={[...FIGURES.map(([label, family, name]) => ({ id: `${family}.${name}`, label, family, name })), { id: 'rate' }]}
              cols={[
                [t('figure'), (r) => (r.label ? t(r.label) : t('passRate'))],
                [t('current'), (r) => (r.label ? figure(d.current.figures, r.family, r.name) : pct(d.current.rates['samples.pass_rate']))],
                [t('previous'), (r) => (r.label ? figure(d.previous?.figures, r.family, r.name) : pct(d.previous?.rates?.['samples.pass_rate']))],
                [t('change'), (r) => (r.label ? signed(d.change?.[r.family]?.[r.name]) : '')],
              ]}
            />
          </>
        )}
      </Panel>
      <Panel title={t('drilldown')} state={drill} testid="drilldown">
        {(d) => <Drilldown data={d} onOpen={(code) => setRegion(code)} />}
      </Panel>
    </div>
  )
}

function Drilldown({ data, onOpen }) {
  const canvas = useRef(null)
  const [drawn, setDrawn] = useState(false)
  const [error, setError] = useState(null)
  useEffect(() => {
    if (!data.children.length || !canvas.current) return undefined
    let chart
    let gone = false
    setDrawn(false)
    // ECharts arrives only here, in a chunk of its own: the first load of either page never carries it.
    import('./chart.js')
      .then(({ drawBars }) => {
        if (gone) return
        chart = drawBars(canvas.current, {
          labels: data.children.map((c) => c.name),
          series: [
            { name: `${t('sampled')} ${data.key}`, data: data.children.map((c) => figure(c.figures, 'samples', 'sampled')) },
            {
              name: `${t('sampled')} ${data.previous_key || t('previous')}`,
              data: data.children.map((c) => figure(data.previous_children[c.region], 'samples', 'sampled')),
            },
            { name: t('unqualified'), data: data.children.map((c) => figure(c.figures, 'samples', 'verdict#unqualified')) },
          ],
        })
        setDrawn(true)
      })
      .catch(setError)
    return () => {
      gone = true
      chart?.dispose()
    }
  }, [data, lang()])
  if (!data.children.length) return <p class="muted">{t('none')}</p>
  return (
    <>
      <div class="chart" ref={canvas} data-testid="chart" data-drawn={drawn ? 'true' : 'false'} />
      <ProblemView error={error} />
      <Table
        testid="drilldown-table"
        rows={data.children}
        cols={[
          [t('region'), (c) => <a href="#" onClick={(e) => { e.preventDefault(); onOpen(c.region) }}>{c.name}</a>],
          [t('sampled'), (c) => figure(c.figures, 'samples', 'sampled')],
          [t('previous'), (c) => figure(data.previous_children[c.region], 'samples', 'sampled')],
          [t('unqualified'), (c) => figure(c.figures, 'samples', 'verdict#unqualified')],
          [t('passRate'), (c) => pct(c.rates['samples.pass_rate'])],
          [t('inspectionsDone'), (c) => figure(c.figures, 'inspections', 'done')],
        ]}
      />
    </>
  )
}

// The agency's warnings: the inbox lists every change to a warning it was sent; one line per warning.
export function Warnings() {
  const inbox = useApi('/inbox?limit=100')
  return (
    <Panel title={t('warnings')} state={inbox} testid="warnings">
      {(d) => {
        const seen = new Map()
        for (const item of d.items) if (item.kind === 'Warning' && !seen.has(item.id)) seen.set(item.id, item)
        return (
          <Table
            rows={[...seen.values()]}
            cols={[
              [t('title'), (w) => <Link href={`/warnings/${w.id}`}>{w.summary?.title || w.id}</Link>],
              [t('state'), (w) => stateName(w.state || 'open')],
              [t('when'), (w) => when(w.at)],
            ]}
          />
        )
      }}
    </Panel>
  )
}

export function WarningCase({ id }) {
  const [n, reload] = useReload()
  const w = useApi(`/warnings/${encodeURIComponent(id)}`, [n])
  const { act, error, busy } = useAct(reload)
  const [note, setNote] = useState('')
  const [action, setAction] = useState('dispatch')
  return (
    <Panel title={t('warnings')} state={w} testid="warning">
      {(d) => (
        <>
          <dl class="facts">
            <dt>{t('title')}</dt>
            <dd data-testid="warning-title">{d.title}</dd>
            <dt>{t('level')}</dt>
            <dd class={`level ${d.level}`} data-testid="warning-level">{t(d.level)}</dd>
            <dt>{t('region')}</dt>
            <dd>{d.region}</dd>
            <dt>{t('state')}</dt>
            <dd>{stateName(d.state)}</dd>
            <dt>{t('value')}</dt>
            <dd>{d.value ?? '—'}</dd>
            <dt>{t('evidence')}</dt>
            <dd data-testid="warning-evidence">
              {typeof d.evidence?.note === 'string' ? d.evidence.note : <code>{JSON.stringify(d.evidence)}</code>}
            </dd>
          </dl>
          <h3>{t('acknowledgements')}</h3>
          <Table testid="acknowledgements" rows={d.acknowledgements} cols={[[t('when'), (a) => when(a.at)], [t('by'), (a) => a.by || a.org_id], [t('note'), (a) => a.note || '']]} />
          <h3>{t('responses')}</h3>
          <Table testid="responses" rows={d.responses} cols={[[t('when'), (r) => when(r.at)], [t('action'), (r) => t(r.action)], [t('note'), (r) => r.note]]} />
          <div class="form">
            <label class="block">
              {t('note')}
              <textarea rows="2" data-testid="warning-note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            </label>
            <button data-testid="acknowledge" disabled={busy} onClick={() => act(`/warnings/${id}/acknowledge`, { version: d.version, ...(note ? { note } : {}) })}>
              {t('acknowledge')}
            </button>{' '}
            <select data-testid="response-action" value={action} onChange={(e) => setAction(e.currentTarget.value)}>
              <option value="dispatch">{t('dispatch')}</option>
              <option value="disposal">{t('disposal')}</option>
            </select>{' '}
            <button class="primary" data-testid="respond" disabled={busy} onClick={() => act(`/warnings/${id}/responses`, { version: d.version, action, note })}>
              {t('respond')}
            </button>
            <ProblemView error={error} />
          </div>
        </>
      )}
    </Panel>
  )
}

function thisMonth() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7) // China time
}

export function Plans() {
  const plans = useApi('/inspection-plans?limit=50')
  const [open, setOpen] = useState(null)
  const [period, setPeriod] = useState(thisMonth())
  const perf = useApi(`/inspection-performance?period=${encodeURIComponent(period)}`)
  const exported = useAct()
  const [link, setLink] = useState(null)
  return (
    <div class="home">
      <Panel title={t('plans')} state={plans} testid="plans">
        {(d) => (
          <Table
            testid="plans-table"
            rows={d.items}
            cols={[
              [t('title'), (p) => <a href="#" onClick={(e) => { e.preventDefault(); setOpen(p.id) }}>{p.title}</a>],
              [t('period'), (p) => p.period],
              [t('state'), (p) => stateName(p.state)],
              [t('targets'), (p) => p.targets],
            ]}
          />
        )}
      </Panel>
      {open && <PlanTargets id={open} />}
      <section class="panel wide" data-testid="performance">
        <h2>{t('performance')}</h2>
        <label>
          {t('period')}{' '}
          <input data-testid="perf-period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)} size="8" />
        </label>{' '}
        <button
          data-testid="perf-export"
          disabled={exported.busy}
          onClick={() => exported.act('/inspection-performance/export', { period }).then((a) => a && setLink(a))}
        >
          {t('exportXlsx')}
        </button>{' '}
        {link && (
          <a data-testid="perf-download" href={link.download_url} download={link.filename}>
            {t('download')} {link.filename}
          </a>
        )}
        <ProblemView error={exported.error} />
        <ProblemView error={perf.error} />
        {perf.data && (
          <Table
            testid="performance-table"
            rows={perf.data.rows}
            cols={[
              [t('supervisor'), (r) => r.name || r.user_id],
              [t('target'), (r) => r.target],
              [t('done'), (r) => r.done],
              [t('completion'), (r) => pct(r.completion)],
              [t('keyDone'), (r) => `${r.key_done}/${r.target_key}`],
              [t('onTime'), (r) => pct(r.on_time_rate)],
              [t('averageScore'), (r) => r.average_score ?? '—'],
              [t('failedItems'), (r) => r.failed_items],
            ]}
          />
        )}
      </section>
    </div>
  )
}

function PlanTargets({ id }) {
  const plan = useApi(`/inspection-plans/${id}`)
  return (
    <Panel title={t('targets')} state={plan} testid="plan">
      {(d) => (
        <>
          <p class="muted">
            {d.title} · {d.period}
          </p>
          <Table
            testid="targets-table"
            rows={d.targets.map((x) => ({ ...x, id: x.user_id }))}
            cols={[
              [t('supervisor'), (x) => x.name],
              [t('township'), (x) => x.township || ''],
              [t('targetInspections'), (x) => x.inspections],
              [t('keyObjects'), (x) => x.key_objects],
            ]}
          />
        </>
      )}
    </Panel>
  )
}

export function Complaints() {
  const list = useApi('/complaints?limit=100')
  return (
    <Panel title={t('complaints')} state={list} testid="complaints">
      {(d) => (
        <Table
          testid="complaints-table"
          rows={d.items}
          cols={[
            [t('caseOf'), (c) => <Link href={`/complaints/${c.id}`}>{(c.what || c.id).slice(0, 40)}</Link>],
            [t('kind'), (c) => t(c.kind)],
            [t('state'), (c) => stateName(c.state)],
            [t('received'), (c) => when(c.received_at)],
            [t('acceptDue'), (c) => c.accept_due || ''],
          ]}
        />
      )}
    </Panel>
  )
}

const RESULTS = ['substantiated', 'partly_substantiated', 'unsubstantiated', 'mediated', 'mediation_failed', 'case_opened']

export function ComplaintCase({ id }) {
  const [n, reload] = useReload()
  const c = useApi(`/complaints/${encodeURIComponent(id)}`, [n])
  const { act, error, busy } = useAct(reload)
  const [result, setResult] = useState('substantiated')
  const [text, setText] = useState('')
  return (
    <Panel title={t('caseOf')} state={c} testid="complaint">
      {(d) => (
        <>
          <dl class="facts">
            <dt>{t('kind')}</dt>
            <dd>{t(d.kind)}</dd>
            <dt>{t('state')}</dt>
            <dd data-testid="complaint-state" data-state={d.state}>
              {stateName(d.state)}
            </dd>
            <dt>{t('whatHappened')}</dt>
            <dd data-testid="complaint-what">{d.what}</dd>
            <dt>{t('subject')}</dt>
            <dd>{d.subject_name || d.place?.address || ''}</dd>
            <dt>{t('acceptDue')}</dt>
            <dd data-testid="complaint-due">{d.accept_due || ''}</dd>
            <dt>{t('decision')}</dt>
            <dd>{d.decision ? `${stateName(d.decision.decision)} · ${when(d.decision.at)}` : '—'}</dd>
          </dl>
          <div class="form">
            <button data-testid="accept" disabled={busy} onClick={() => act(`/complaints/${id}/decision`, { version: d.version, decision: 'accept' })}>
              {t('accept')}
            </button>
            <label class="block">
              {t('result')}{' '}
              <select data-testid="answer-result" value={result} onChange={(e) => setResult(e.currentTarget.value)}>
                {RESULTS.map((r) => (
                  <option value={r}>{t(r)}</option>
                ))}
              </select>
            </label>
            <label class="block">
              {t('answerText')}
              <textarea rows="3" data-testid="answer-text" value={text} onInput={(e) => setText(e.currentTarget.value)} />
            </label>
            <button class="primary" data-testid="answer" disabled={busy} onClick={() => act(`/complaints/${id}/answer`, { version: d.version, result, text })}>
              {t('answer')}
            </button>
            <ProblemView error={error} />
          </div>
        </>
      )}
    </Panel>
  )
}

// No sign-in: a citizen files, keeps the tracking number and secret, and follows the case with them.
export function PublicComplaint({ no = '', secret: given = '' }) {
  const [form, setForm] = useState({ kind: 'complaint', name: '', phone: '', region: '', address: '', what: '' })
  const [receipt, setReceipt] = useState(null)
  const [error, setError] = useState(null)
  const [trackNo, setTrackNo] = useState(no)
  const [secret, setSecret] = useState(given)
  const [tracked, setTracked] = useState(null)
  const [trackError, setTrackError] = useState(null)
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value })
  async function file() {
    setError(null)
    const body = {
      kind: form.kind,
      what: form.what,
      place: { region: form.region, address: form.address },
      ...(form.name || form.phone ? { filer: { name: form.name, phone: form.phone } } : {}),
    }
    try {
      const r = await api('/public/complaints', { method: 'POST', body, anonymous: true })
      setReceipt(r)
      setTrackNo(r.tracking_no)
      if (r.secret) setSecret(r.secret)
    } catch (e) {
      setError(e)
    }
  }
  // The API's tracking link is /complaints/{tracking_no}#{secret}: opened, it shows the case at once.
  useEffect(() => {
    if (no && given) track(no, given)
  }, [no, given])
  async function track(number = trackNo, key = secret) {
    setTrackError(null)
    setTracked(null)
    try {
      setTracked(
        await api(`/public/complaints/${encodeURIComponent(number)}`, { headers: { 'X-Complaint-Secret': key }, anonymous: true }),
      )
    } catch (e) {
      setTrackError(e)
    }
  }
  return (
    <main class="home public">
      <section class="panel" data-testid="file-complaint">
        <h2>{t('fileComplaint')}</h2>
        <label class="block">
          {t('kind')}{' '}
          <select data-testid="c-kind" value={form.kind} onChange={set('kind')}>
            <option value="complaint">{t('complaint')}</option>
            <option value="report">{t('report')}</option>
          </select>
        </label>
        {[['name', 'c-name'], ['phone', 'c-phone'], ['placeRegion', 'c-region', 'region'], ['address', 'c-address']].map(([label, testid, key]) => (
          <label class="block">
            {t(label)}
            <input data-testid={testid} value={form[key || label]} onInput={set(key || label)} />
          </label>
        ))}
        <label class="block">
          {t('whatHappened')}
          <textarea rows="4" data-testid="c-what" value={form.what} onInput={set('what')} />
        </label>
        <button class="primary" data-testid="c-file" onClick={file}>
          {t('fileSend')}
        </button>
        <ProblemView error={error} />
        {receipt && (
          <div class="ok" role="status" data-testid="receipt">
            <p>{t('filed')}</p>
            <dl class="facts">
              <dt>{t('trackingNo')}</dt>
              <dd data-testid="tracking-no">{receipt.tracking_no}</dd>
              <dt>{t('secret')}</dt>
              <dd data-testid="tracking-secret">{receipt.secret || '—'}</dd>
              <dt>{t('acceptDue')}</dt>
              <dd>{receipt.accept_due || ''}</dd>
            </dl>
            {receipt.secret && (
              <a data-testid="tracking-link" href={`/complaints/${receipt.tracking_no}#${receipt.secret}`}>
                {t('track')}
              </a>
            )}
          </div>
        )}
      </section>
      <section class="panel" data-testid="track-complaint">
        <h2>{t('track')}</h2>
        <label class="block">
          {t('trackingNo')}
          <input data-testid="t-no" value={trackNo} onInput={(e) => setTrackNo(e.currentTarget.value)} />
        </label>
        <label class="block">
          {t('secret')}
          <input data-testid="t-secret" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </label>
        <button data-testid="t-go" onClick={() => track()}>
          {t('track')}
        </button>
        <ProblemView error={trackError} />
        {tracked && (
          <dl class="facts" data-testid="tracked">
            <dt>{t('state')}</dt>
            <dd data-testid="tracked-state" data-state={tracked.state}>
              {stateName(tracked.state)}
            </dd>
            <dt>{t('agencyHandling')}</dt>
            <dd data-testid="tracked-agency">{tracked.agency}</dd>
            <dt>{t('acceptDue')}</dt>
            <dd>{tracked.accept_due || ''}</dd>
            <dt>{t('decision')}</dt>
            <dd>{tracked.decision ? stateName(tracked.decision.decision) : '—'}</dd>
            <dt>{t('answerText')}</dt>
            <dd data-testid="tracked-answer">{tracked.answer ? `${t(tracked.answer.result)}: ${tracked.answer.text}` : '—'}</dd>
          </dl>
        )}
      </section>
    </main>
  )
}

