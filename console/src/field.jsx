// Field mode (现场执法): a phone's app that installs, scans a traceability code, opens its subject, and records an
// inspection or a sample with its photos offline; the outbox sends them when the network returns and shows what still waits.
import { render } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { api } from './api.js'
import { currentUser, signIn } from './auth.js'
import { lang, onLang, setLang, t, when } from './i18n.js'
import { sha256, ulid } from './ids.js'
import { enqueue, flush, forget, onOutbox, pending } from './outbox.js'
import { ProblemView } from './ui.jsx'
import './field.css'

const TEMPLATE = 'CN-BASE-DEFAULT'

function useOnline() {
  const [online, setOnline] = useState(navigator.onLine)
  useEffect(() => {
    const up = () => setOnline(true)
    const down = () => setOnline(false)
    addEventListener('online', up)
    addEventListener('offline', down)
    return () => {
      removeEventListener('online', up)
      removeEventListener('offline', down)
    }
  }, [])
  return online
}

function Field() {
  const [, setLanguage] = useState(lang())
  const [user, setUser] = useState(undefined)
  const [found, setFound] = useState(null)
  const [error, setError] = useState(null)
  const [inspecting, setInspecting] = useState(null)
  const [sampling, setSampling] = useState(false)
  const online = useOnline()
  useEffect(() => onLang(setLanguage), [])
  useEffect(() => {
    currentUser().then(setUser, () => setUser(null))
  }, [])
  useEffect(() => {
    document.body.dataset.ready = 'true' // the tests' "usable" mark: the first screen is drawn
  }, [user])
  if (user === undefined) return <p class="muted">{t('loading')}</p>
  async function lookUp(code) {
    setError(null)
    setFound(null)
    setInspecting(null)
    try {
      setFound(await api(`/scan?code=${encodeURIComponent(code)}`))
    } catch (e) {
      setError(e)
    }
  }
  return (
    <div class="field">
      <header>
        <strong>{t('field')}</strong>
        <span class={online ? 'on' : 'off'} data-testid="network">
          {online ? t('online') : t('offline')}
        </span>
        <button class="link" data-testid="lang" onClick={() => setLang(lang() === 'zh' ? 'en' : 'zh')}>
          {t('language')}
        </button>
      </header>
      {!user ? (
        <button class="primary big" data-testid="sign-in" onClick={() => signIn('/field')}>
          {t('signIn')}
        </button>
      ) : (
        <>
          <Scanner onCode={lookUp} />
          <ProblemView error={error} />
          {found && <Found data={found} onInspect={() => setInspecting(found.subject)} />}
          {inspecting && <Inspection subject={inspecting} onSaved={() => setInspecting(null)} />}
          {sampling ? (
            <Sample found={found} onSaved={() => setSampling(false)} />
          ) : (
            <button class="big" data-testid="sample" onClick={() => setSampling(true)}>
              {t('recordSample')}
            </button>
          )}
        </>
      )}
      {/* Shown signed out too: a token that expired in the field leaves the records waiting, not lost. */}
      <Outbox online={online} />
    </div>
  )
}

function Scanner({ onCode }) {
  const video = useRef(null)
  const [running, setRunning] = useState(null)
  const [typed, setTyped] = useState('')
  const [error, setError] = useState(null)
  async function start() {
    const abort = new AbortController()
    setRunning(abort)
    setError(null)
    try {
      const { scan, codeOf } = await import('./scanner.js')
      const text = await scan(video.current, abort.signal)
      if (text) onCode(codeOf(text))
    } catch (e) {
      setError(e)
    } finally {
      setRunning(null)
    }
  }
  return (
    <section class="card">
      <video ref={video} playsInline muted class={running ? 'live' : 'hidden'} data-testid="camera" />
      {running ? (
        <button onClick={() => running.abort()}>{t('stopScan')}</button>
      ) : (
        <button class="primary big" data-testid="scan" onClick={start}>
          {t('scan')}
        </button>
      )}
      {running && <p class="muted">{t('scanHint')}</p>}
      <ProblemView error={error} />
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault()
          import('./scanner.js').then(({ codeOf }) => typed && onCode(codeOf(typed)))
        }}
      >
        <input placeholder={t('codeInput')} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} data-testid="code" />
        <button>{t('open')}</button>
      </form>
    </section>
  )
}

function Found({ data, onInspect }) {
  const s = data.subject || {}
  return (
    <section class="card" data-testid="found">
      <h2 data-testid="subject-name">{s.name}</h2>
      <dl>
        <dt>{t('state')}</dt>
        <dd>{s.state}</dd>
        {s.key_object && (
          <>
            <dt>{t('keyObject')}</dt>
            <dd>✓</dd>
          </>
        )}
        <dt>{t('badRecords')}</dt>
        <dd>{s.bad_records ?? s.bad_record_count ?? 0}</dd>
        {data.product && (
          <>
            <dt>{t('product')}</dt>
            <dd data-testid="product-name">{data.product.name}</dd>
          </>
        )}
        {data.batch && (
          <>
            <dt>{t('batch')}</dt>
            <dd>{data.batch.code_short || data.batch.id}</dd>
          </>
        )}
        {data.base && (
          <>
            <dt>{t('base')}</dt>
            <dd>{data.base.name}</dd>
          </>
        )}
      </dl>
      <button class="primary" data-testid="inspect" onClick={onInspect}>
        {t('recordInspection')}
      </button>
    </section>
  )
}

// The published template, kept on the phone so an inspection can be filled in without a signal.
async function template() {
  const key = `agritrace.template.${TEMPLATE}`
  try {
    const list = await api('/inspection-templates?scope=national&limit=50')
    const newest = list.items.filter((v) => v.code === TEMPLATE && v.state === 'published').pop()
    if (!newest) throw new Error(`${TEMPLATE}: ${t('notFound')}`)
    const version = await api(`/inspection-templates/${TEMPLATE}/versions/${newest.number}`)
    localStorage.setItem(key, JSON.stringify(version))
    return version
  } catch (e) {
    const kept = localStorage.getItem(key)
    if (kept) return JSON.parse(kept)
    throw e
  }
}

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null)
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lng: p.coords.longitude, lat: p.coords.latitude, accuracy_m: Math.round(p.coords.accuracy * 10) / 10 }),
      () => resolve(null),
      { timeout: 5000, maximumAge: 60000 },
    )
  })
}

function Inspection({ subject, onSaved }) {
  const [tpl, setTpl] = useState(null)
  const [error, setError] = useState(null)
  const [answers, setAnswers] = useState({})
  const [photos, setPhotos] = useState([])
  const [opinion, setOpinion] = useState('')
  const [signer, setSigner] = useState('')
  const canvas = useRef(null)
  useEffect(() => {
    template().then(setTpl, setError)
  }, [])
  if (error) return <ProblemView error={error} />
  if (!tpl) return <p class="muted">{t('loading')}</p>
  const items = tpl.sections.flatMap((s) => s.items)
  const checks = items.filter((i) => i.type === 'check')
  async function save() {
    const id = ulid()
    const files = []
    for (const blob of photos) files.push({ id: ulid(), blob, content_type: blob.type || 'image/jpeg', filename: 'photo.jpg' })
    const signature = await new Promise((r) => canvas.current.toBlob(r, 'image/png'))
    const signatureFile = { id: ulid(), blob: signature, content_type: 'image/png', filename: 'signature.png' }
    signatureFile.sha256 = await sha256(signature)
    files.push(signatureFile)
    const photoIds = files.filter((f) => f !== signatureFile).map((f) => f.id)
    const doc = {}
    for (const item of items) {
      if (item.type === 'check') doc[item.key] = { result: answers[item.key] || 'na' }
      else if (item.type === 'photo' && item.required !== false) doc[item.key] = { photos: photoIds }
      else if (item.type === 'text' && item.required !== false) doc[item.key] = { value: opinion }
      else if (item.type === 'signature') {
        doc[item.key] = { signer, attachment_id: signatureFile.id, sha256: signatureFile.sha256 }
      }
    }
    const where = (await position()) || { lng: 117.0, lat: 36.65, accuracy_m: 5000 }
    await enqueue({
      id,
      kind: 'inspection',
      owner_kind: 'inspection',
      label: `${t('recordInspection')} · ${subject.name}`,
      method: 'PUT',
      path: `/inspections/${id}`,
      body: {
        subject_id: subject.id,
        template_code: tpl.code,
        template_number: tpl.number,
        done_at: new Date().toISOString(),
        position: where,
        answers: doc,
        opinion,
      },
      files,
    })
    onSaved()
  }
  return (
    <section class="card" data-testid="inspection">
      <h2>
        {t('recordInspection')} · {subject.name}
      </h2>
      <p class="muted">{tpl.title}</p>
      <ol class="checks">
        {checks.map((item) => (
          <li>
            <span>{item.label}</span>
            <select
              value={answers[item.key] || 'na'}
              data-item={item.key}
              onChange={(e) => setAnswers({ ...answers, [item.key]: e.currentTarget.value })}
            >
              <option value="pass">{lang() === 'zh' ? '符合' : 'Pass'}</option>
              <option value="na">{lang() === 'zh' ? '不适用' : 'N/A'}</option>
            </select>
          </li>
        ))}
      </ol>
      <label>
        {t('photo')}
        <input
          type="file"
          accept="image/*"
          capture="environment"
          multiple
          data-testid="photo"
          onChange={(e) => setPhotos([...e.currentTarget.files])}
        />
      </label>
      <label>
        {t('note')}
        <textarea value={opinion} onInput={(e) => setOpinion(e.currentTarget.value)} data-testid="opinion" />
      </label>
      <label>
        {lang() === 'zh' ? '被检查单位负责人' : 'Responsible person'}
        <input value={signer} onInput={(e) => setSigner(e.currentTarget.value)} data-testid="signer" />
      </label>
      <SignaturePad canvas={canvas} />
      <button class="primary big" data-testid="save" disabled={!photos.length || !opinion || !signer} onClick={save}>
        {t('save')}
      </button>
    </section>
  )
}

// The sampler's received monitoring tasks, kept on the phone so a sample can be recorded without a signal.
async function assignments() {
  const key = 'agritrace.assignments'
  try {
    const list = (await api('/monitoring-assignments?limit=100')).items.filter((a) => a.state === 'received')
    localStorage.setItem(key, JSON.stringify(list))
    return list
  } catch (e) {
    const kept = localStorage.getItem(key)
    if (kept) return JSON.parse(kept)
    throw e
  }
}

// A sample (抽样) of a monitoring task: with the scanned code the API fills in product and subject, else by hand.
// The id is made here, so the outbox's resend after a lost answer stores it once.
function Sample({ found, onSaved }) {
  const [tasks, setTasks] = useState(null)
  const [error, setError] = useState(null)
  const [photos, setPhotos] = useState([])
  const code = found?.batch?.code_short || ''
  const [form, setForm] = useState({
    task: '', product_code: '', product_name: '', subject_name: found?.subject?.name || '',
    region: found?.subject?.region || '', address: '', quantity: '1', unit: 'kg', seal: '',
  })
  useEffect(() => {
    assignments().then((list) => {
      setTasks(list)
      if (list.length) setForm((f) => ({ ...f, task: f.task || list[0].task_id }))
    }, setError)
  }, [])
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value })
  if (error) return <ProblemView error={error} />
  if (!tasks) return <p class="muted">{t('loading')}</p>
  if (!tasks.length) return <p class="muted" data-testid="no-task">{t('noTask')}</p>
  async function save() {
    const id = ulid()
    const files = photos.map((blob) => ({ id: ulid(), blob, content_type: blob.type || 'image/jpeg', filename: 'sample.jpg' }))
    const where = (await position()) || { lng: 117.0, lat: 36.65, accuracy_m: 5000 }
    const what = code
      ? { trace_code: code }
      : { product_code: form.product_code, product_name: form.product_name, subject_name: form.subject_name }
    await enqueue({
      id,
      kind: 'sample',
      owner_kind: 'sample',
      label: `${t('recordSample')} · ${form.seal} · ${code || form.product_name}`,
      method: 'POST',
      path: `/monitoring-tasks/${form.task}/samples`,
      body: {
        id,
        ...what,
        place: { address: form.address, region: form.region, lng: where.lng, lat: where.lat, accuracy_m: where.accuracy_m },
        sampled_at: new Date().toISOString(),
        quantity: Number(form.quantity),
        quantity_unit: form.unit,
        seal_no: form.seal,
      },
      files,
    })
    onSaved()
  }
  const input = (key, label, extra = {}) => (
    <label>
      {t(label)}
      <input value={form[key]} onInput={set(key)} data-testid={`s-${key}`} {...extra} />
    </label>
  )
  return (
    <section class="card" data-testid="sampling">
      <h2>{t('recordSample')}</h2>
      <label>
        {t('task')}
        <select value={form.task} onChange={set('task')} data-testid="s-task">
          {tasks.map((a) => (
            <option value={a.task_id}>{a.title}</option>
          ))}
        </select>
      </label>
      {code ? (
        <p>
          {t('traceCode')}: <code data-testid="s-code">{code}</code>
        </p>
      ) : (
        <>
          {input('product_code', 'productCode')}
          {input('product_name', 'productName')}
          {input('subject_name', 'subjectName')}
        </>
      )}
      {input('region', 'placeRegion')}
      {input('address', 'address')}
      {input('quantity', 'quantity', { inputMode: 'decimal' })}
      {input('unit', 'unit')}
      {input('seal', 'sealNo')}
      <label>
        {t('photo')}
        <input type="file" accept="image/*" capture="environment" multiple data-testid="s-photo" onChange={(e) => setPhotos([...e.currentTarget.files])} />
      </label>
      <button class="primary big" data-testid="s-save" disabled={!form.task || !form.seal || !photos.length} onClick={save}>
        {t('save')}
      </button>
    </section>
  )
}

function SignaturePad({ canvas }) {
  useEffect(() => {
    const c = canvas.current
    const g = c.getContext('2d')
    g.fillStyle = '#fff'
    g.fillRect(0, 0, c.width, c.height)
    g.lineWidth = 2
    let down = false
    const at = (e) => {
      const r = c.getBoundingClientRect()
      return [e.clientX - r.left, e.clientY - r.top]
    }
    c.onpointerdown = (e) => {
      down = true
      g.beginPath()
      g.moveTo(...at(e))
    }
    c.onpointermove = (e) => {
      if (!down) return
      g.lineTo(...at(e))
      g.stroke()
    }
    c.onpointerup = () => (down = false)
  }, [])
  return <canvas ref={canvas} width="300" height="120" class="signature" data-testid="signature" />
}

function Outbox({ online }) {
  const [list, setList] = useState([])
  useEffect(() => {
    pending().then(setList)
    return onOutbox(setList)
  }, [])
  const waiting = list.filter((r) => r.state === 'waiting').length
  return (
    <section class="card" data-testid="outbox">
      <h2>
        {t('queue')} <span data-testid="waiting-count">{waiting}</span>
      </h2>
      {!list.length && <p class="muted">{t('queueEmpty')}</p>}
      <ul>
        {list.map((r) => (
          <li data-state={r.state} data-id={r.id}>
            <span>{r.label}</span> · <small>{when(r.created_at)}</small> ·{' '}
            <strong>{r.state === 'sent' ? t('sent') : r.state === 'refused' ? t('failed') : t('waiting')}</strong>
            {r.state !== 'waiting' && (
              <button class="link" onClick={() => forget(r.id)}>
                ×
              </button>
            )}
            {r.problem && <ProblemView error={{ message: r.problem.title }} />}
          </li>
        ))}
      </ul>
      {waiting > 0 && online && <button onClick={() => flush()}>{t('sendNow')}</button>}
    </section>
  )
}

if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {})
document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en'
render(<Field />, document.getElementById('app'))
