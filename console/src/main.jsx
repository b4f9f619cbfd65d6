// The web console: sign-in, a head's home, a lab's result entry, a subject; every screen shows what the API answers.
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, Problem } from './api.js'
import { completeSignIn, currentUser, signIn, signOut } from './auth.js'
import { actionName, lang, onLang, setLang, t, when } from './i18n.js'
import { Link, Panel, ProblemView, Table, useApi } from './ui.jsx'
import { ComplaintCase, Complaints, Plans, PublicComplaint, Statistics, WarningCase, Warnings } from './screens.jsx'
import './styles.css'

function usePath() {
  const [path, setPath] = useState(location.pathname)
  useEffect(() => {
    const on = () => setPath(location.pathname)
    addEventListener('popstate', on)
    return () => removeEventListener('popstate', on)
  }, [])
  return path
}

function App() {
  const [, setLanguage] = useState(lang())
  const [user, setUser] = useState(undefined)
  const [error, setError] = useState(null)
  const path = usePath()
  useEffect(() => onLang(setLanguage), [])
  useEffect(() => {
    if (path === '/callback') {
      completeSignIn()
        .then((to) => {
          // The field mode is its own page (field.html): back to it with a full load.
          if (to.startsWith('/field')) return location.replace(to)
          history.replaceState(null, '', to)
          dispatchEvent(new PopStateEvent('popstate'))
          return currentUser()
        })
        .then(setUser)
        .catch((e) => {
          setError(e)
          setUser(null)
        })
    } else if (user === undefined) {
      currentUser().then(setUser, (e) => {
        setError(e)
        setUser(null)
      })
    }
  }, [path])
  // The public complaint pages need no account: filing, and the tracking link the API hands out (secret in the fragment).
  if (path === '/public/complaints') return <PublicShell />
  const tracking = path.match(/^\/complaints\/([^/]+)$/)
  if (tracking && location.hash.length > 1) {
    return <PublicShell no={decodeURIComponent(tracking[1])} secret={decodeURIComponent(location.hash.slice(1))} />
  }
  if (user === undefined) return <p class="muted pad">{t('signingIn')}</p>
  if (!user) {
    return (
      <main class="landing">
        <h1>{t('app')}</h1>
        <ProblemView error={error} />
        <button class="primary" data-testid="sign-in" onClick={() => signIn('/')}>
          {t('signIn')}
        </button>
        <LangSwitch />
      </main>
    )
  }
  return <Shell path={path} />
}

function PublicShell(props) {
  return (
    <>
      <header class="top">
        <strong>{t('app')}</strong>
        <LangSwitch />
      </header>
      <PublicComplaint {...props} />
    </>
  )
}

function LangSwitch() {
  return (
    <button class="link" data-testid="lang" onClick={() => setLang(lang() === 'zh' ? 'en' : 'zh')}>
      {t('language')}
    </button>
  )
}

function Shell({ path }) {
  const me = useApi('/me')
  const roles = me.data?.user?.roles || []
  const lab = roles.includes('lab_manager') || roles.includes('lab_analyst')
  let screen
  const subject = path.match(/^\/subjects\/([^/]+)$/)
  const warning = path.match(/^\/warnings\/([^/]+)$/)
  const complaint = path.match(/^\/complaints\/([^/]+)$/)
  const head = roles.some((r) => ['head', 'supervisor', 'dispatcher', 'admin', 'ministry_analyst'].includes(r))
  if (subject) screen = <Subject id={decodeURIComponent(subject[1])} />
  else if (path === '/results') screen = <Results />
  else if (path === '/statistics') screen = <Statistics me={me} />
  else if (path === '/warnings') screen = <Warnings />
  else if (warning) screen = <WarningCase id={decodeURIComponent(warning[1])} />
  else if (path === '/plans') screen = <Plans />
  else if (path === '/complaints') screen = <Complaints />
  else if (complaint) screen = <ComplaintCase id={decodeURIComponent(complaint[1])} />
  else screen = <Home me={me} />
  return (
    <>
      <header class="top">
        <strong>{t('app')}</strong>
        <nav>
          <Link href="/">{t('home')}</Link>
          {lab && <Link href="/results">{t('results')}</Link>}
          {head && <Link href="/statistics">{t('statistics')}</Link>}
          {head && <Link href="/warnings">{t('warnings')}</Link>}
          {head && <Link href="/plans">{t('plans')}</Link>}
          {head && <Link href="/complaints">{t('complaints')}</Link>}
          <a href="/field">{t('field')}</a>
        </nav>
        <span class="who" data-testid="who">
          {me.data ? `${me.data.user.name} · ${me.data.agency?.name || ''}` : ''}
        </span>
        <LangSwitch />
        <button
          class="link"
          onClick={() => signOut().then(() => location.assign('/'))}
        >
          {t('signOut')}
        </button>
      </header>
      <main>{screen}</main>
    </>
  )
}

const STATES = {
  zh: {
    draft: '草稿', published: '已下发', received: '已接收', assigned: '已实施', distributed: '已分解',
    in_progress: '进行中', reported: '已报告', completed: '已完成', cancelled: '已撤销', returned: '已退回',
    open: '整改中', overdue: '逾期', closed: '已关闭', issued: '已下发',
  },
  en: {},
}

function stateName(s) {
  return STATES[lang()][s] || s
}

function Home({ me }) {
  const spot = useApi('/spot-checks?limit=50')
  const monitoring = useApi('/monitoring-tasks?limit=50')
  const overdue = useApi('/corrective-actions?state=overdue&limit=50')
  const activity = useApi('/activity?limit=20')
  return (
    <div class="home">
      <Panel title={t('agency')} state={me} testid="agency">
        {(d) => (
          <dl class="facts">
            <dt>{t('agency')}</dt>
            <dd data-testid="agency-name">{d.agency?.name}</dd>
            <dt>{t('region')}</dt>
            <dd>{d.agency ? `${d.agency.region} ${d.agency.region_name || ''}` : ''}</dd>
            <dt>{t('roles')}</dt>
            <dd>{d.user.roles.join(', ')}</dd>
          </dl>
        )}
      </Panel>
      <Panel title={t('spotChecks')} state={spot} testid="spot-checks">
        {(d) => (
          <Table
            rows={d.items}
            cols={[
              [t('title'), (r) => r.title],
              [t('state'), (r) => stateName(r.state)],
              [t('progress'), (r) => <SpotProgress task={r} />],
              [t('deadline'), (r) => r.deadline],
            ]}
          />
        )}
      </Panel>
      <Panel title={t('monitoring')} state={monitoring} testid="monitoring">
        {(d) => (
          <Table
            rows={d.items}
            cols={[
              [t('title'), (r) => r.title],
              [t('state'), (r) => stateName(r.state)],
              [t('progress'), (r) => <Progress id={r.id} />],
              [t('deadline'), (r) => r.deadline],
            ]}
          />
        )}
      </Panel>
      <Panel title={t('overdue')} state={overdue} testid="overdue">
        {(d) => (
          <Table
            rows={d.items}
            cols={[
              [t('subject'), (r) => <Link href={`/subjects/${r.subject_id}`}>{r.subject_name || r.subject_id}</Link>],
              [t('item'), (r) => `${r.label}: ${r.what}`],
              [t('due'), (r) => r.due],
            ]}
          />
        )}
      </Panel>
      <Panel title={t('activity')} state={activity} testid="activity">
        {(d) => (
          <Table
            rows={d.items}
            cols={[
              [t('when'), (r) => when(r.at)],
              [t('what'), (r) => <span title={r.action}>{actionName(r.kind, r.action)}</span>],
              [t('subject'), (r) => (r.summary && (r.summary.name || r.summary.title)) || r.kind],
            ]}
          />
        )}
      </Panel>
    </div>
  )
}

function Progress({ id }) {
  const p = useApi(`/monitoring-tasks/${id}/progress`)
  if (p.error) return <ProblemView error={p.error} />
  if (!p.data) return <span class="muted">…</span>
  const { allocated, sampled, tested } = p.data.totals
  const pct = allocated ? Math.round((100 * tested) / allocated) : 0
  return (
    <span class="bar" title={`${sampled}/${tested}/${allocated}`}>
      <span style={{ width: `${pct}%` }} />
      <em>
        {tested}/{allocated}
      </em>
    </span>
  )
}

// Samples taken of the units the task asks for, as the task's sample list answers.
function SpotProgress({ task }) {
  const p = useApi(`/spot-checks/${task.id}/samples?limit=200`)
  if (p.error) return <ProblemView error={p.error} />
  if (!p.data) return <span class="muted">…</span>
  const taken = p.data.items.length
  const pct = task.units ? Math.min(100, Math.round((100 * taken) / task.units)) : 0
  return (
    <span class="bar" data-testid="spot-progress">
      <span style={{ width: `${pct}%` }} />
      <em>
        {taken}/{task.units}
      </em>
    </span>
  )
}

const EMPTY_ROW = () => ({ sample_id: '', analyte: '', value: '', unit: 'mg/kg', nd: false })

// Rows pasted from a spreadsheet: sample id, analyte, value (ND = not detected), unit.
function parseRows(text) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.split(line.includes('\t') ? '\t' : ','))
    .map(([sample_id = '', analyte = '', value = '', unit = 'mg/kg']) => {
      const nd = /^(nd|未检出)$/i.test(value.trim())
      return { sample_id: sample_id.trim(), analyte: analyte.trim(), value: nd ? '' : value.trim(), unit: unit.trim(), nd }
    })
}

function Results() {
  const [rows, setRows] = useState([EMPTY_ROW()])
  const [paste, setPaste] = useState('')
  const [error, setError] = useState(null)
  const [done, setDone] = useState(null)
  const [busy, setBusy] = useState(false)
  const rowErrors = {}
  for (const e of error instanceof Problem ? error.body.errors || [] : []) {
    const m = /^body\.results\.(\d+)(?:\.(\w+))?/.exec(e.field || '')
    if (m) (rowErrors[Number(m[1])] ||= []).push({ field: m[2] || '', message: e.message })
  }
  const update = (i, key, value) => setRows(rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)))
  async function submit() {
    setBusy(true)
    setError(null)
    setDone(null)
    const results = rows
      .filter((r) => r.sample_id)
      .map((r) => ({
        sample_id: r.sample_id,
        analyte: r.analyte,
        unit: r.unit,
        ...(r.nd ? { detected: false } : { value: r.value }),
      }))
    try {
      setDone(await api('/results', { method: 'POST', body: { results }, headers: { 'Idempotency-Key': crypto.randomUUID() } }))
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="panel wide" data-testid="results">
      <h2>{t('results')}</h2>
      <label class="block">
        {t('paste')}
        <textarea rows="4" value={paste} onInput={(e) => setPaste(e.currentTarget.value)} data-testid="paste" />
      </label>
      <button
        data-testid="paste-apply"
        onClick={() => {
          const parsed = parseRows(paste)
          if (parsed.length) setRows(parsed)
          setPaste('')
        }}
      >
        {t('pasteApply')}
      </button>
      <table class="entry">
        <thead>
          <tr>
            <th>#</th>
            <th>{t('sample')}</th>
            <th>{t('analyte')}</th>
            <th>{t('value')}</th>
            <th>{t('unit')}</th>
            <th>{t('notDetected')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr class={rowErrors[i] ? 'bad' : ''} data-testid={`row-${i}`}>
              <td>{i + 1}</td>
              {['sample_id', 'analyte', 'value', 'unit'].map((key) => (
                <td>
                  <input
                    value={r[key]}
                    disabled={key === 'value' && r.nd}
                    aria-invalid={rowErrors[i]?.some((e) => e.field === key) ? 'true' : undefined}
                    onInput={(e) => update(i, key, e.currentTarget.value)}
                  />
                </td>
              ))}
              <td>
                <input type="checkbox" checked={r.nd} onChange={(e) => update(i, 'nd', e.currentTarget.checked)} />
              </td>
              <td class="row-errors" data-testid={`row-error-${i}`}>
                {(rowErrors[i] || []).map((e) => (
                  <div>
                    {e.field && <code>{e.field}</code>} {e.message}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button onClick={() => setRows([...rows, EMPTY_ROW()])}>{t('addRow')}</button>{' '}
      <button class="primary" data-testid="submit" disabled={busy} onClick={submit}>
        {t('submit')}
      </button>
      {error && error.status === 422 && Object.keys(rowErrors).length > 0 && (
        <p class="warn">{t('nothingWritten')}</p>
      )}
      <ProblemView error={error} />
      {done && (
        <div class="ok" role="status" data-testid="results-done">
          {t('submitted', { samples: done.samples.length, entered: done.entered, unchanged: done.unchanged, unqualified: done.unqualified_samples.length })}
          <Table
            rows={done.samples}
            cols={[
              [t('sample'), (s) => s.sample_id],
              [t('state'), (s) => s.outcome],
              [t('outcome'), (s) => s.verdict],
            ]}
          />
        </div>
      )}
    </section>
  )
}

function Subject({ id }) {
  const s = useApi(`/subjects/${encodeURIComponent(id)}`)
  return (
    <Panel title={t('subjectView')} state={s} testid="subject">
      {(d) => (
        <dl class="facts">
          <dt>{t('subject')}</dt>
          <dd data-testid="subject-name">{d.name}</dd>
          <dt>{t('region')}</dt>
          <dd>{d.region}</dd>
          <dt>{t('state')}</dt>
          <dd>{stateName(d.state)}</dd>
        </dl>
      )}
    </Panel>
  )
}

document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en'
render(<App />, document.getElementById('app'))
