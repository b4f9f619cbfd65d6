// Pieces both entries use: loading a resource from the API, and showing a refusal as the API worded it.
import { useEffect, useState } from 'preact/hooks'
import { api, bilingual, Problem } from './api.js'
import { t } from './i18n.js'

export function useApi(path, deps = []) {
  const [state, setState] = useState({ loading: true, data: null, error: null })
  useEffect(() => {
    if (!path) return undefined
    const abort = new AbortController()
    setState({ loading: true, data: null, error: null })
    api(path, { signal: abort.signal })
      .then((data) => setState({ loading: false, data, error: null }))
      .catch((error) => {
        if (error.name !== 'AbortError') setState({ loading: false, data: null, error })
      })
    return () => abort.abort()
  }, [path, ...deps])
  return state
}

export function ProblemView({ error }) {
  if (!error) return null
  const body = error instanceof Problem ? error.body : { title: String(error.message || error) }
  const status = error instanceof Problem ? error.status : ''
  return (
    <div class="problem" role="alert" data-status={status}>
      <strong>
        {status ? `${status} · ` : ''}
        {bilingual(body.title) || t('problem')}
      </strong>
      {body.detail && <div class="detail">{body.detail}</div>}
      {Array.isArray(body.errors) && body.errors.length > 0 && (
        <ul>
          {body.errors.map((e) => (
            <li>
              <code>{e.field}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
      {body.instance && <div class="instance">{body.instance}</div>}
    </div>
  )
}

export function Panel({ title, state, children, testid }) {
  return (
    <section class="panel" data-testid={testid}>
      <h2>{title}</h2>
      {state.loading && <p class="muted">{t('loading')}</p>}
      <ProblemView error={state.error} />
      {state.data && children(state.data)}
    </section>
  )
}

export function navigate(path) {
  history.pushState(null, '', path)
  dispatchEvent(new PopStateEvent('popstate'))
}

export function Link({ href, children, ...rest }) {
  return (
    <a
      href={href}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey) return
        e.preventDefault()
        navigate(href)
      }}
      {...rest}
    >
      {children}
    </a>
  )
}

export function Table({ rows, cols, testid }) {
  if (!rows.length) return <p class="muted">{t('none')}</p>
  return (
    <table data-testid={testid}>
      <thead>
        <tr>
          {cols.map(([h]) => (
            <th>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr data-key={r.id ?? r.region ?? r.user_id}>
            {cols.map(([, f]) => (
              <td>{f(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
