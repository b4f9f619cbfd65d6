// The field mode's outbox: records made offline (with their photos) kept in IndexedDB until the API has them.
// Each record carries the id the phone made and is sent with an Idempotency-Key derived from it, so a send
// whose answer was lost is sent again and stored once.
import { createStore, del, entries, set } from 'idb-keyval'
import { api, Problem } from './api.js'

const store = createStore('agritrace-field', 'outbox')
const listeners = new Set()
let flushing = null

export function onOutbox(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

async function changed() {
  const list = await pending()
  listeners.forEach((fn) => fn(list))
}

export async function pending() {
  const all = (await entries(store)).map(([, v]) => v)
  return all.sort((a, b) => a.created_at.localeCompare(b.created_at))
}

export async function enqueue(record) {
  await set(record.id, { ...record, state: 'waiting', sent_files: [], created_at: new Date().toISOString() }, store)
  await changed()
  flush()
}

export async function forget(id) {
  await del(id, store)
  await changed()
}

// A refusal (4xx other than a timeout or throttle) stays refused and shown; anything else waits for the next try.
function refused(error) {
  return error instanceof Problem && error.status >= 400 && error.status < 500 && ![401, 408, 429].includes(error.status)
}

async function upload(record, file) {
  const ticket = await api('/attachments', {
    method: 'POST',
    headers: { 'Idempotency-Key': `att-${file.id}` },
    body: {
      owner_kind: record.owner_kind,
      owner_id: record.id,
      id: file.id,
      filename: file.filename,
      content_type: file.content_type,
      size: file.blob.size,
      ...(file.sha256 ? { sha256: file.sha256 } : {}),
    },
  })
  if (ticket.attachment.state !== 'pending') return // already uploaded by an earlier try
  const form = new FormData()
  for (const [k, v] of Object.entries(ticket.upload.fields)) form.append(k, v)
  form.append('file', file.blob, file.filename)
  const res = await fetch(ticket.upload.url, { method: 'POST', body: form })
  if (!res.ok) throw new Error(`upload ${res.status}`)
}

async function send(record) {
  if (!record.record_sent) {
    await api(record.path, { method: record.method, body: record.body, headers: { 'Idempotency-Key': `rec-${record.id}` } })
    record = { ...record, record_sent: true }
    await set(record.id, record, store)
  }
  for (const file of record.files) {
    if (record.sent_files.includes(file.id)) continue
    await upload(record, file)
    record = { ...record, sent_files: [...record.sent_files, file.id] }
    await set(record.id, record, store)
  }
  // Delivered: the photos' bytes are dropped, the line stays so the user sees it arrived.
  await set(record.id, { ...record, state: 'sent', files: record.files.map(({ blob, ...f }) => f) }, store)
}

export function flush() {
  flushing ??= (async () => {
    try {
      for (const record of await pending()) {
        if (record.state !== 'waiting') continue
        if (!navigator.onLine) break
        try {
          await send(record)
        } catch (error) {
          if (refused(error)) {
            await set(record.id, { ...record, state: 'refused', problem: { status: error.status, ...error.body } }, store)
          } else {
            break // no network (or the API did not answer): the order is kept, the next try resumes here
          }
        } finally {
          await changed()
        }
      }
    } finally {
      flushing = null
    }
  })()
  return flushing
}

addEventListener('online', () => flush())
setInterval(() => navigator.onLine && flush(), 15000)
