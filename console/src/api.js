// The API, as it answers: JSON, or an RFC 9457 problem shown to the user as it came (the console adds no authority).
import { config } from './config.js'
import { token } from './auth.js'
import { lang } from './i18n.js'

export class Problem extends Error {
  constructor(status, body) {
    super(body?.title || `HTTP ${status}`)
    this.status = status
    this.body = body || {}
  }
}

// `anonymous`: the public pages (a citizen's complaint) send no token even when someone is signed in.
export async function api(path, { method = 'GET', body, headers = {}, signal, anonymous = false } = {}) {
  const [c, bearer] = await Promise.all([config(), anonymous ? null : token()])
  const res = await fetch(c.api + path, {
    method,
    signal,
    headers: {
      ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      'Accept-Language': lang() === 'zh' ? 'zh-CN' : 'en',
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  let data = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = { title: text }
  }
  if (!res.ok) {
    // API Gateway's own 401/403 are {"message": ...}; the app's are problem+json.
    if (data && !data.title && data.message) data = { title: data.message, status: res.status }
    throw new Problem(res.status, data)
  }
  return data
}

// Problem titles are "中文 / English": the user's half.
export function bilingual(text) {
  if (!text || !text.includes(' / ')) return text || ''
  const [zh, ...en] = text.split(' / ')
  return lang() === 'zh' ? zh : en.join(' / ')
}
